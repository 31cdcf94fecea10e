"""The interpreter's own values that stand in for Python objects a program must not hold.

A program never holds a module object: `torch`, `nn` and `F` are `Namespace`s, whose
members come from the allowlist tables. A method looked up on a value is a `Bound`,
carrying the table's function and its receiver.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, eq=False)
class Namespace:
    """A named table of members, shown as the module it stands for."""

    name: str
    members: Mapping[str, Any] = field(repr=False)

    def __str__(self) -> str:
        return f"<module '{self.name}'>"

    __repr__ = __str__


@dataclass(frozen=True, eq=False)
class Function:
    """A callable from a table; `torch_op` says its results are traced tensors."""

    name: str
    fn: Callable[..., Any] = field(repr=False)
    torch_op: bool = True

    def __str__(self) -> str:
        return f"<function {self.name}>"

    __repr__ = __str__


@dataclass(frozen=True, eq=False)
class Bound:
    """A method of a value, looked up through a table: calling it calls fn(receiver, ...)."""

    name: str
    receiver: Any = field(repr=False)
    fn: Callable[..., Any] = field(repr=False)
    torch_op: bool = True

    def __str__(self) -> str:
        return f"<bound method {self.name}>"

    __repr__ = __str__
