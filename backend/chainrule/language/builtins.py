"""The Python builtins a program may call, and safe arithmetic on plain values.

Each builtin is a small, bounded re-implementation: no builtin object of Python's own
is handed to a program.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import torch
from torch import nn

from chainrule.errors import LimitError, ProgramTypeError
from chainrule.language.bounded import Output, show
from chainrule.language.values import BoundedIterator
from chainrule.settings import (
    MAX_FORMAT_SPEC_CHARS,
    MAX_FORMAT_WIDTH,
    MAX_INT_MAGNITUDE,
    MAX_LIST_ELEMENTS,
    MAX_LOOP_ITERATIONS,
    MAX_NUMBER_TEXT,
    MAX_STDOUT_CHARS,
)

_NUMBER = (int, float, bool)

# Which positional arguments a builtin iterates over: the interpreter unbinds tensors
# there under the tracer, so the rows it makes are in the graph.
Iterates = Literal["", "first", "all", "alone"]


@dataclass(frozen=True, eq=False)
class Builtin:
    """A builtin function a program can call.

    `traced`: it may do arithmetic on tensors (abs, sum, ...), so it runs under the tracer.
    """

    name: str
    fn: Callable[..., Any] = field(repr=False)
    traced: bool = False
    iterates: Iterates = ""

    def __post_init__(self) -> None:
        # Python names a function by its __qualname__ in argument errors: len(), not _len().
        self.fn.__qualname__ = self.name

    def __str__(self) -> str:
        return f"<built-in function {self.name}>"

    __repr__ = __str__


# --- the builtins -------------------------------------------------------------------------


def _check_int(value: Any) -> Any:
    if isinstance(value, int) and abs(value) > MAX_INT_MAGNITUDE:
        raise LimitError(f"integer results are limited to {MAX_INT_MAGNITUDE:.0e}")
    return value


def _range(*args: Any) -> range:
    if not args or not all(isinstance(a, int) for a in args):
        raise ProgramTypeError("range() takes whole numbers")
    r = range(*args)
    if len(r) > MAX_LOOP_ITERATIONS:
        raise LimitError(f"range() is limited to {MAX_LOOP_ITERATIONS} steps")
    return r


def _len(value: Any) -> int:
    if isinstance(value, torch.Tensor | list | tuple | str | torch.Size
                  | nn.Sequential | nn.ModuleList | range):
        return len(value)
    raise ProgramTypeError(f"object of type '{type(value).__name__}' has no len()")


def _list(value: Any = ()) -> list[Any]:
    if not isinstance(value, list | tuple | range | torch.Size | str | BoundedIterator
                      | nn.Sequential | nn.ModuleList):
        raise ProgramTypeError(f"cannot make a list from a {type(value).__name__}")
    items = []
    for item in value:
        items.append(item)
        if len(items) > MAX_LIST_ELEMENTS:
            raise LimitError(f"lists are limited to {MAX_LIST_ELEMENTS} items")
    return items


def _tuple(value: Any = ()) -> tuple[Any, ...]:
    return tuple(_list(value))


def _enumerate(value: Any, start: Any = 0) -> BoundedIterator:
    if not isinstance(start, int):
        raise ProgramTypeError("enumerate() takes a whole number to start from")
    return BoundedIterator(enumerate(_list(value), start), "enumerate object")


def _zip(*values: Any) -> BoundedIterator:
    return BoundedIterator(zip(*(_list(v) for v in values), strict=False), "zip object")


def _number(kind: type) -> Callable[..., Any]:
    def convert(value: Any = 0) -> Any:
        if isinstance(value, str) and len(value) > MAX_NUMBER_TEXT:
            raise LimitError(f"number strings are limited to {MAX_NUMBER_TEXT} characters")
        if not isinstance(value, (*_NUMBER, str, torch.Tensor)):
            raise ProgramTypeError(f"{kind.__name__}() does not apply to a "
                                   f"{type(value).__name__}")
        return _check_int(kind(value))
    return convert


def _round(value: Any, ndigits: Any = None) -> Any:
    if ndigits is not None and not isinstance(ndigits, int):
        raise ProgramTypeError("round() takes a whole number of digits")
    return _check_int(round(value, ndigits))


def _sum(values: Any, start: Any = 0) -> Any:
    return _check_int(sum(_list(values), start))


def _extreme(name: str, pick: Callable[..., Any]) -> Callable[..., Any]:
    def fn(*args: Any) -> Any:
        items = _list(args[0]) if len(args) == 1 else list(args)
        if not items:
            raise ProgramTypeError(f"{name}() of an empty sequence")
        return pick(items)
    return fn


def _abs(value: Any) -> Any:
    if not isinstance(value, (*_NUMBER, torch.Tensor)):
        raise ProgramTypeError(f"abs() does not apply to a {type(value).__name__}")
    return abs(value)


NAMES = frozenset({"print", "range", "len", "abs", "min", "max", "float", "int", "round",
                   "sum", "list", "tuple", "enumerate", "zip", "bool", "str"})


def table(out: Output) -> dict[str, Builtin]:
    """The builtins, with print writing to `out`."""

    def print_(*args: Any, sep: Any = " ", end: Any = "\n", flush: Any = False) -> None:
        if sep is None:
            sep = " "
        if end is None:
            end = "\n"
        for name, value in (("sep", sep), ("end", end)):
            if not isinstance(value, str):
                raise ProgramTypeError(f"{name} must be None or a string, not "
                                       f"{type(value).__name__}")
        out.write(out.stable(sep.join(show(a) for a in args) + end))

    def str_(value: Any = "") -> str:
        return out.stable(show(value))

    builtins = [
        Builtin("print", print_), Builtin("range", _range), Builtin("len", _len),
        Builtin("abs", _abs, traced=True), Builtin("round", _round, traced=True),
        Builtin("min", _extreme("min", min), traced=True, iterates="alone"),
        Builtin("max", _extreme("max", max), traced=True, iterates="alone"),
        Builtin("sum", _sum, traced=True, iterates="first"),
        Builtin("float", _number(float)), Builtin("int", _number(int)),
        Builtin("bool", _number(bool)), Builtin("str", str_),
        Builtin("list", _list, iterates="first"), Builtin("tuple", _tuple, iterates="first"),
        Builtin("enumerate", _enumerate, iterates="first"),
        Builtin("zip", _zip, iterates="all"),
    ]
    assert {b.name for b in builtins} == NAMES
    return {b.name: b for b in builtins}


# --- arithmetic and comparison on plain values --------------------------------------------


def arithmetic(op: type[ast.operator], fn: Callable[[Any, Any], Any], left: Any,
               right: Any) -> Any:
    """Arithmetic on plain values, refusing what could take unbounded time or memory."""
    if isinstance(left, _NUMBER) and isinstance(right, _NUMBER):
        big_power = (op is ast.Pow and isinstance(left, int) and isinstance(right, int)
                     and right > 0 and abs(left) > 1 and right * abs(left).bit_length() > 64)
        if big_power:
            raise LimitError(f"integer results are limited to {MAX_INT_MAGNITUDE:.0e}")
        return _check_int(fn(left, right))
    if op is ast.Add and isinstance(left, str) and isinstance(right, str):
        if len(left) + len(right) > MAX_STDOUT_CHARS:
            raise LimitError(f"strings are limited to {MAX_STDOUT_CHARS} characters")
        return left + right
    if op is ast.Mult and isinstance(right, str) and isinstance(left, int):
        left, right = right, left
    if op is ast.Mult and isinstance(left, str) and isinstance(right, int):
        if len(left) * max(right, 0) > MAX_STDOUT_CHARS:
            raise LimitError(f"strings are limited to {MAX_STDOUT_CHARS} characters")
        return left * right
    if op is ast.Add and type(left) in (list, tuple) and type(left) is type(right):
        if len(left) + len(right) > MAX_LIST_ELEMENTS:
            raise LimitError(f"lists are limited to {MAX_LIST_ELEMENTS} items")
        return left + right
    if op is ast.Mult and isinstance(right, list | tuple) and isinstance(left, int):
        left, right = right, left
    if op is ast.Mult and type(left) in (list, tuple) and isinstance(right, int):
        if len(left) * max(right, 0) > MAX_LIST_ELEMENTS:
            raise LimitError(f"lists are limited to {MAX_LIST_ELEMENTS} items")
        return left * right
    raise ProgramTypeError(
        f"unsupported operand type(s) for {_OPERATOR_SYMBOLS.get(op, op.__name__)}: "
        f"'{type(left).__name__}' and '{type(right).__name__}'"
    )


_OPERATOR_SYMBOLS: dict[type[ast.operator], str] = {
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//",
    ast.Mod: "%", ast.Pow: "**", ast.MatMult: "@",
}


def check_comparable(left: Any, right: Any, op: ast.cmpop) -> None:
    """Comparisons between plain values only."""
    plain = (*_NUMBER, str, type(None))
    if isinstance(op, ast.Is | ast.IsNot | ast.Eq | ast.NotEq):
        return
    if not (isinstance(left, plain) and isinstance(right, plain)):
        raise ProgramTypeError(
            f"cannot compare '{type(left).__name__}' with '{type(right).__name__}'")


def format_value(value: Any, conversion: int, spec: str) -> str:
    """One f-string field, with the width in its spec bounded."""
    digits = "".join(ch if ch.isdigit() else " " for ch in spec).split()
    if len(spec) > MAX_FORMAT_SPEC_CHARS:
        raise LimitError(f"format specs are limited to {MAX_FORMAT_SPEC_CHARS} characters")
    if any(int(d) > MAX_FORMAT_WIDTH for d in digits):
        raise LimitError(f"format widths are limited to {MAX_FORMAT_WIDTH}")
    if conversion == ord("s"):
        value = show(value)
    elif conversion in (ord("r"), ord("a")):
        text = repr(value) if isinstance(value, str) else show(value)
        value = text if conversion == ord("r") else _ascii(text)
    elif type(value) in (list, tuple):
        value = show(value)
    if not isinstance(value, (*_NUMBER, str, torch.Tensor, type(None))):
        value = str(value)
    return format(value, spec)


def _ascii(text: str) -> str:
    """What ascii() does to a repr: non-ASCII characters as \\x, \\u or \\U escapes."""
    return text.encode("ascii", "backslashreplace").decode("ascii")
