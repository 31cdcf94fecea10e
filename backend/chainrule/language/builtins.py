"""The Python builtins a program may call, and safe arithmetic on plain numbers.

Each builtin is a small, bounded re-implementation: no builtin object of Python's own
is handed to a program.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn

from chainrule.errors import LimitError, ProgramTypeError
from chainrule.settings import (
    MAX_INT_MAGNITUDE,
    MAX_LIST_ELEMENTS,
    MAX_LOOP_ITERATIONS,
    MAX_STDOUT_CHARS,
)

_NUMBER = (int, float, bool)
_MAX_FORMAT_WIDTH = 200


@dataclass(frozen=True, eq=False)
class Builtin:
    """A builtin function a program can call."""

    name: str
    fn: Callable[..., Any] = field(repr=False)

    def __str__(self) -> str:
        return f"<built-in function {self.name}>"

    __repr__ = __str__


class SafeIterator:
    """An iterator handed to a program (enumerate, zip, parameters), bounded in length."""

    def __init__(self, items: Iterator[Any], name: str) -> None:
        self._items = items
        self._name = name

    def __iter__(self) -> Iterator[Any]:
        for count, item in enumerate(self._items):
            if count >= MAX_LOOP_ITERATIONS:
                raise LimitError(f"{self._name}() produced more than {MAX_LOOP_ITERATIONS} items")
            yield item

    def __str__(self) -> str:
        return f"<{self._name} object>"


class Output:
    """Captured printed output, bounded in size."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._size = 0

    def write(self, text: str) -> None:
        self._size += len(text)
        if self._size > MAX_STDOUT_CHARS:
            raise LimitError(f"the program printed more than {MAX_STDOUT_CHARS} characters")
        self._parts.append(text)

    def text(self) -> str:
        return "".join(self._parts)


def _str(value: Any) -> str:
    if isinstance(value, list | tuple) and len(value) > MAX_LIST_ELEMENTS:
        raise LimitError("too many items to print")
    return str(value)


def table(out: Output) -> dict[str, Builtin]:
    """The builtins, with print writing to `out`."""

    def print_(*args: Any, sep: Any = " ", end: Any = "\n", flush: Any = False) -> None:
        if not isinstance(sep, str) or not isinstance(end, str):
            raise ProgramTypeError("print's sep and end must be strings")
        out.write(sep.join(_str(a) for a in args) + end)

    def range_(*args: Any) -> range:
        if not all(isinstance(a, int) for a in args):
            raise ProgramTypeError("range() takes whole numbers")
        r = range(*args)
        if len(r) > MAX_LOOP_ITERATIONS:
            raise LimitError(f"range() is limited to {MAX_LOOP_ITERATIONS} steps")
        return r

    def len_(value: Any) -> int:
        if isinstance(value, torch.Tensor | list | tuple | str | torch.Size
                      | nn.Sequential | nn.ModuleList):
            return len(value)
        raise ProgramTypeError(f"len() does not apply to a {type(value).__name__}")

    def iterate(name: str) -> Callable[..., SafeIterator]:
        def fn(*args: Any) -> SafeIterator:
            inner: Iterator[Any] = (enumerate if name == "enumerate" else zip)(*args)
            return SafeIterator(inner, name)
        return fn

    def list_(value: Any = ()) -> list[Any]:
        items = []
        for item in value if isinstance(value, SafeIterator) else _bounded(value):
            items.append(item)
            if len(items) > MAX_LIST_ELEMENTS:
                raise LimitError("list() made too many items")
        return items

    def number(kind: type) -> Callable[[Any], Any]:
        def fn(value: Any = 0) -> Any:
            if isinstance(value, str) and len(value) > 100:
                raise LimitError("number strings are limited to 100 characters")
            if not isinstance(value, _NUMBER | str | torch.Tensor):
                raise ProgramTypeError(f"{kind.__name__}() does not apply to a "
                                       f"{type(value).__name__}")
            return kind(value)
        return fn

    functions: dict[str, Callable[..., Any]] = {
        "print": print_, "range": range_, "len": len_, "abs": abs, "min": min, "max": max,
        "float": number(float), "int": number(int), "bool": number(bool), "round": round,
        "sum": sum, "list": list_, "tuple": lambda value=(): tuple(list_(value)),
        "enumerate": iterate("enumerate"), "zip": iterate("zip"), "str": _str,
    }
    return {name: Builtin(name, fn) for name, fn in functions.items()}


def _bounded(value: Any) -> Any:
    if isinstance(value, list | tuple | range | torch.Size | torch.Tensor | str):
        return value
    if hasattr(value, "__next__"):  # a generator from model.parameters()
        return SafeIterator(value, "parameters")
    raise ProgramTypeError(f"cannot make a list from a {type(value).__name__}")


def arithmetic(op: type[ast.operator], fn: Callable[[Any, Any], Any], left: Any,
               right: Any) -> Any:
    """Arithmetic on plain values, refusing what could take unbounded time or memory."""
    if isinstance(left, _NUMBER) and isinstance(right, _NUMBER):
        big_power = (op is ast.Pow and isinstance(left, int) and isinstance(right, int)
                     and right > 0 and abs(left) > 1 and right * abs(left).bit_length() > 64)
        if big_power:
            raise LimitError(f"integer results are limited to {MAX_INT_MAGNITUDE:.0e}")
        result = fn(left, right)
        if isinstance(result, int) and abs(result) > MAX_INT_MAGNITUDE:
            raise LimitError(f"integer results are limited to {MAX_INT_MAGNITUDE:.0e}")
        return result
    if op is ast.Add and isinstance(left, str) and isinstance(right, str):
        if len(left) + len(right) > MAX_LIST_ELEMENTS:
            raise LimitError("strings are limited in length")
        return left + right
    if op is ast.Add and isinstance(left, list | tuple) and type(left) is type(right):
        if len(left) + len(right) > MAX_LIST_ELEMENTS:
            raise LimitError(f"lists are limited to {MAX_LIST_ELEMENTS} items")
        return left + right  # type: ignore[operator]
    if op is ast.Mult and isinstance(left, list | tuple) and isinstance(right, int):
        if len(left) * max(right, 0) > MAX_LIST_ELEMENTS:
            raise LimitError(f"lists are limited to {MAX_LIST_ELEMENTS} items")
        return left * right
    raise ProgramTypeError(
        f"unsupported operand types for {op.__name__}: "
        f"'{type(left).__name__}' and '{type(right).__name__}'"
    )


def check_comparable(left: Any, right: Any, op: ast.cmpop) -> None:
    """Comparisons between plain values only."""
    plain = _NUMBER + (str, type(None))
    if isinstance(op, ast.Is | ast.IsNot | ast.Eq | ast.NotEq):
        return
    if not (isinstance(left, plain) and isinstance(right, plain)):
        raise ProgramTypeError(
            f"cannot compare '{type(left).__name__}' with '{type(right).__name__}'")


def format_value(value: Any, conversion: int, spec: str) -> str:
    """One f-string field, with the width in its spec bounded."""
    digits = "".join(ch if ch.isdigit() else " " for ch in spec).split()
    if len(spec) > 20 or any(int(d) > _MAX_FORMAT_WIDTH for d in digits):
        raise LimitError(f"format widths are limited to {_MAX_FORMAT_WIDTH}")
    if conversion == ord("r"):
        value = repr(value)
    elif conversion in (ord("s"), ord("a")):
        value = str(value) if conversion == ord("s") else ascii(value)
    if not isinstance(value, _NUMBER | str | torch.Tensor | type(None)):
        value = str(value)
    return format(value, spec)
