"""The Python builtins a program may call, and safe arithmetic on plain values.

Each builtin is a small, bounded re-implementation: no builtin object of Python's own
is handed to a program.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset

from chainrule.errors import LimitError, ProgramTypeError
from chainrule.language.bounded import Output, show
from chainrule.language.classes import user_class_of
from chainrule.language.functions import GeneratorValue
from chainrule.language.values import BoundedIterator
from chainrule.settings import (
    MAX_INT_MAGNITUDE,
    MAX_LIST_ELEMENTS,
    MAX_NUMBER_TEXT,
    MAX_ROUND_DIGITS,
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
    return range(*(_check_int(a) for a in args))


# Values a program may iterate over (besides tensors, whose rows the tracer makes).
ITERABLE: tuple[type, ...] = (
    list, tuple, range, torch.Size, str, dict, set, frozenset, BoundedIterator, GeneratorValue,
    nn.Sequential, nn.ModuleList, nn.ModuleDict, nn.ParameterList, DataLoader, Dataset, map,
    filter, reversed, type({}.items()), type({}.keys()), type({}.values()))


def iterate(value: Any) -> Iterator[Any]:
    """An iterator over a value the program may loop over; a TypeError as Python's."""
    if isinstance(value, ITERABLE) or user_class_of(value) is not None:
        try:
            return iter(value)
        except TypeError:
            pass
    raise ProgramTypeError(f"'{type(value).__name__}' object is not iterable")


def bounded_list(value: Any = ()) -> list[Any]:
    """The items of an iterable, refusing more than a list may hold."""
    items = []
    for item in iterate(value):
        items.append(item)
        if len(items) > MAX_LIST_ELEMENTS:
            raise LimitError(f"lists are limited to {MAX_LIST_ELEMENTS} items")
    return items


def _len(value: Any) -> int:
    if isinstance(value, torch.Tensor | list | tuple | str | torch.Size | dict | set | range
                  | nn.Sequential | nn.ModuleList | nn.ModuleDict | nn.ParameterList
                  | DataLoader | Dataset) or user_class_of(value) is not None:
        try:
            return len(value)
        except TypeError:
            pass
    raise ProgramTypeError(f"object of type '{type(value).__name__}' has no len()")


def _tuple(value: Any = ()) -> tuple[Any, ...]:
    return tuple(bounded_list(value))


def _set(value: Any = ()) -> set[Any]:
    return set(bounded_list(value))


def _dict(*args: Any, **kwargs: Any) -> dict[Any, Any]:
    if len(args) > 1:
        raise ProgramTypeError(f"dict expected at most 1 argument, got {len(args)}")
    result: dict[Any, Any] = {}
    if args:
        source = args[0]
        pairs = source.items() if isinstance(source, dict) else bounded_list(source)
        for pair in pairs:
            key, value = pair
            result[key] = value
    result.update(kwargs)
    if len(result) > MAX_LIST_ELEMENTS:
        raise LimitError(f"dicts are limited to {MAX_LIST_ELEMENTS} items")
    return result


def _enumerate(value: Any, start: Any = 0) -> BoundedIterator:
    if not isinstance(start, int):
        raise ProgramTypeError("enumerate() takes a whole number to start from")
    items = iterate(value)
    return BoundedIterator(enumerate(items, start), "enumerate object", (items,))


def _zip(*values: Any) -> BoundedIterator:
    iterators = tuple(iterate(v) for v in values)
    return BoundedIterator(zip(*iterators, strict=False), "zip object", iterators)


def _map(function: Any, *values: Any) -> BoundedIterator:
    if not values:
        raise ProgramTypeError("map() must have at least two arguments.")
    return BoundedIterator(map(function, *(iterate(v) for v in values)), "map object")


def _filter(function: Any, values: Any) -> BoundedIterator:
    return BoundedIterator(filter(function, iterate(values)), "filter object")


def _reversed(value: Any) -> BoundedIterator:
    if isinstance(value, dict | set) or not isinstance(value, ITERABLE):
        raise ProgramTypeError(f"'{type(value).__name__}' object is not reversible")
    return BoundedIterator(iter(bounded_list(value)[::-1]), "list_reverseiterator object")


def _sorted(values: Any, key: Any = None, reverse: Any = False) -> list[Any]:
    items = bounded_list(values)
    items.sort(key=key, reverse=bool(reverse))
    return items


def _iter(value: Any) -> Any:
    if isinstance(value, BoundedIterator | GeneratorValue):
        return value
    return BoundedIterator(iterate(value), f"{type(value).__name__}_iterator object")


_NO_DEFAULT = object()


def _next(iterator: Any, default: Any = _NO_DEFAULT) -> Any:
    if not isinstance(iterator, BoundedIterator | GeneratorValue):
        raise ProgramTypeError(f"'{type(iterator).__name__}' object is not an iterator")
    try:
        return next(iterator)
    except StopIteration:
        if default is _NO_DEFAULT:
            raise ProgramTypeError("next() found the iterator exhausted (StopIteration)") \
                from None
        return default


def _any(values: Any) -> bool:
    return any(_truth(v) for v in iterate(values))


def _all(values: Any) -> bool:
    return all(_truth(v) for v in iterate(values))


def _truth(value: Any) -> bool:
    if isinstance(value, torch.Tensor) and value.numel() != 1:
        raise ProgramTypeError("Boolean value of Tensor with more than one value is ambiguous")
    return bool(value)


def _number(kind: type) -> Callable[..., Any]:
    def convert(value: Any = 0, *base: Any) -> Any:
        if isinstance(value, str) and len(value) > MAX_NUMBER_TEXT:
            raise LimitError(f"number strings are limited to {MAX_NUMBER_TEXT} characters")
        if not isinstance(value, (*_NUMBER, str, torch.Tensor)):
            raise ProgramTypeError(f"{kind.__name__}() does not apply to a "
                                   f"{type(value).__name__}")
        return _check_int(kind(value, *base))
    return convert


def _round(value: Any, ndigits: Any = None) -> Any:
    if ndigits is not None and not isinstance(ndigits, int):
        raise ProgramTypeError("round() takes a whole number of digits")
    if ndigits is not None and abs(ndigits) > MAX_ROUND_DIGITS:
        raise LimitError(f"round() takes at most {MAX_ROUND_DIGITS} digits")
    return _check_int(round(value, ndigits))


def _sum(values: Any, start: Any = 0) -> Any:
    """sum() as Python adds: one item at a time, as a generator hands them over (so the
    graph of `sum((r ** 2).sum() for r in rows)` is built in CPython's order)."""
    if isinstance(start, str):
        raise ProgramTypeError("sum() can't sum strings [use ''.join(seq) instead]")
    total = start
    for item in iterate(values):
        if isinstance(total, list | tuple) and isinstance(item, list | tuple) \
                and len(total) + len(item) > MAX_LIST_ELEMENTS:  # sum(rows, []) concatenates
            raise LimitError(f"lists are limited to {MAX_LIST_ELEMENTS} items")
        total = total + item
    return _check_int(total)


def _extreme(name: str, pick: Callable[..., Any]) -> Callable[..., Any]:
    def fn(*args: Any, key: Any = None, default: Any = _NO_DEFAULT) -> Any:
        items = bounded_list(args[0]) if len(args) == 1 else list(args)
        if not items:
            if default is not _NO_DEFAULT:
                return default
            raise ProgramTypeError(f"{name}() arg is an empty sequence")
        return pick(items, key=key) if key is not None else pick(items)
    return fn


def _abs(value: Any) -> Any:
    if not isinstance(value, (*_NUMBER, torch.Tensor)):
        raise ProgramTypeError(f"abs() does not apply to a {type(value).__name__}")
    return abs(value)


def _pow(base: Any, exponent: Any, modulo: Any = None) -> Any:
    if modulo is not None:
        return _check_int(pow(base, exponent, modulo))
    return arithmetic(ast.Pow, operator.pow, base, exponent)


def _divmod(a: Any, b: Any) -> tuple[Any, Any]:
    if not (isinstance(a, _NUMBER) and isinstance(b, _NUMBER)):
        raise ProgramTypeError("divmod() takes numbers")
    return divmod(a, b)


def _chr(code: Any) -> str:
    return chr(code)


def _ord(text: Any) -> int:
    return ord(text)


def _callable(value: Any) -> bool:
    return callable(value)


# Builtins that are also types, for isinstance().
TYPES: dict[str, type] = {"int": int, "float": float, "bool": bool, "str": str, "list": list,
                          "tuple": tuple, "dict": dict, "set": set}


def _isinstance(value: Any, kinds: Any) -> bool:
    return isinstance(value, _as_types(kinds))


def _as_types(kinds: Any) -> tuple[type, ...]:
    if isinstance(kinds, tuple):
        return tuple(t for kind in kinds for t in _as_types(kind))
    if isinstance(kinds, Builtin) and kinds.name in TYPES:
        return (TYPES[kinds.name],)
    shown = getattr(kinds, "type_for_isinstance", None)  # Function / UserClass
    if isinstance(shown, type):
        return (shown,)
    raise ProgramTypeError("isinstance() arg 2 must be a type, a tuple of types, or a union")


NAMES = frozenset({"print", "range", "len", "abs", "min", "max", "float", "int", "round",
                   "sum", "list", "tuple", "enumerate", "zip", "bool", "str", "dict", "set",
                   "sorted", "reversed", "next", "iter", "isinstance", "any", "all", "map",
                   "filter", "repr", "pow", "divmod", "chr", "ord", "callable", "super"})


def _super_outside(*_args: Any) -> Any:
    raise ProgramTypeError("super(): no arguments (use it inside a method)")


# The builtins that need nothing of the program's run, made once.
_SHARED = [
    Builtin("range", _range), Builtin("len", _len),
    Builtin("abs", _abs, traced=True), Builtin("round", _round, traced=True),
    Builtin("min", _extreme("min", min), traced=True, iterates="alone"),
    Builtin("max", _extreme("max", max), traced=True, iterates="alone"),
    Builtin("sum", _sum, traced=True, iterates="first"),
    Builtin("float", _number(float)), Builtin("int", _number(int)),
    Builtin("bool", _number(bool)),
    Builtin("list", bounded_list, iterates="first"),
    Builtin("tuple", _tuple, iterates="first"), Builtin("set", _set, iterates="first"),
    Builtin("dict", _dict), Builtin("enumerate", _enumerate, iterates="first"),
    Builtin("zip", _zip, iterates="all"), Builtin("map", _map, iterates="all"),
    Builtin("filter", _filter, iterates="all"),
    Builtin("sorted", _sorted, traced=True, iterates="first"),
    Builtin("reversed", _reversed, iterates="first"), Builtin("next", _next),
    Builtin("iter", _iter, iterates="first"), Builtin("isinstance", _isinstance),
    Builtin("any", _any, traced=True, iterates="first"),
    Builtin("all", _all, traced=True, iterates="first"), Builtin("pow", _pow, traced=True),
    Builtin("divmod", _divmod), Builtin("chr", _chr), Builtin("ord", _ord),
    Builtin("callable", _callable), Builtin("super", _super_outside),
]


def table(out: Output) -> dict[str, Builtin]:
    """The builtins, with print, str and repr writing through `out` (its stable
    addresses); super() is the interpreter's own."""

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

    def repr_(value: Any) -> str:
        return out.stable(repr(value) if isinstance(value, str) else show(value))

    builtins = {b.name: b for b in _SHARED}
    for own in (Builtin("print", print_), Builtin("str", str_), Builtin("repr", repr_)):
        builtins[own.name] = own
    assert set(builtins) == NAMES
    return builtins


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
