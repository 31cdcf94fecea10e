"""The interpreter's own values that stand in for Python objects a program must not hold.

A program never holds a module object: `torch`, `nn` and `F` are `Namespace`s, whose
members come from the allowlist tables. A method looked up on a value is a `Bound`,
carrying the table's function and its receiver. Iterators handed to a program are
`BoundedIterator`s, which stop a loop that would run past the limit.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, eq=False)
class Namespace:
    """A named table of members, shown as the module it stands for (without its path)."""

    name: str
    members: Mapping[str, Any] = field(repr=False)
    hint: str = ""  # said when a program asks for a member it does not have

    def __str__(self) -> str:
        return f"<module '{self.name}'>"

    __repr__ = __str__


@dataclass(frozen=True, eq=False)
class Function:
    """A callable from a table.

    `torch_op`: it runs under the tracer, which records the tensors torch produces.
    `shown_as`: the torch callable it stands for when `fn` wraps it: printing a Function
    prints what CPython prints for that callable.
    """

    name: str
    fn: Callable[..., Any] = field(repr=False)
    torch_op: bool = True
    shown_as: Callable[..., Any] | None = field(default=None, repr=False)

    def __str__(self) -> str:
        shown = self.shown_as or self.fn
        return f"<function {self.name}>" if _ours(shown) else str(shown)

    __repr__ = __str__

    @property
    def type_for_isinstance(self) -> type | None:
        """The class this stands for, when it is one (torch.Tensor, nn.Linear)."""
        shown = self.shown_as or self.fn
        return shown if isinstance(shown, type) else None


@dataclass(frozen=True, eq=False)
class Bound:
    """A method of a value, looked up through a table: calling it calls fn(receiver, ...)."""

    name: str
    receiver: Any = field(repr=False)
    function: Function = field(repr=False)

    def __str__(self) -> str:
        """As CPython shows torch's method bound to the receiver, when the table knows it."""
        shown = self.function.shown_as or self.function.fn
        if _ours(shown) or not hasattr(shown, "__get__"):
            return f"<bound method {self.name}>"
        return str(shown.__get__(self.receiver, type(self.receiver)))

    __repr__ = __str__


def _ours(fn: Callable[..., Any]) -> bool:
    """A wrapper of ours (not torch's callable), shown by its table name."""
    return str(getattr(fn, "__module__", "")).startswith("chainrule.")


class BoundedIterator:
    """An iterator handed to a program (enumerate, zip, parameters): Python's own iterator
    behind a value the program cannot reach into (the step budget bounds a loop over it).

    Printed as CPython prints the iterator it stands for, e.g.
    `<generator object Module.parameters at 0x7f...>`.
    """

    def __init__(self, items: Iterable[Any], shown_as: str,
                 over: tuple[Iterator[Any], ...] = ()) -> None:
        self._items: Iterator[Any] = iter(items)
        self._shown_as = shown_as
        self.over = over  # enumerate's and zip's iterators: what says how many are left

    def __iter__(self) -> Iterator[Any]:
        return self

    def __next__(self) -> Any:
        return next(self._items)

    def __str__(self) -> str:
        return f"<{self._shown_as} at {id(self):#x}>"

    __repr__ = __str__


# Python's iterators whose length hint is exactly the number of items left.
_SEQUENCES: tuple[Any, ...] = (range(1), range(2**64), [], (), "", b"", {}, {}.values(),
                               {}.items())
_COUNTED = frozenset(type(iter(values)) for values in _SEQUENCES)


def items_left(iterator: Any) -> int | None:
    """How many items an iterator will still give, when that is known for sure: Python's
    own over a range, list, tuple, string or dict, and enumerate and zip over those."""
    if type(iterator) in _COUNTED:
        return operator.length_hint(iterator)
    if isinstance(iterator, BoundedIterator) and iterator.over:
        counts = [items_left(inner) for inner in iterator.over]
        return None if None in counts else min(c for c in counts if c is not None)
    return None
