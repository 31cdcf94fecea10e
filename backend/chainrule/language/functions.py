"""Functions the program defines: `def` and `lambda`, as interpreted values.

A UserFunction is its syntax tree, the frame it was defined in (for closures) and its
default values: never a Python function made from the program's text. Calling one binds
the arguments as CPython does (defaults, keywords, *args, **kwargs) and runs the body in
a new frame (interpreter.py). `return`, `break` and `continue` travel as signals that
are not exceptions of the program's: nothing the program writes can catch them.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from chainrule.errors import LimitError, ProgramTypeError
from chainrule.language.scope import Frame, FunctionNames
from chainrule.settings import MAX_LIST_ELEMENTS


class Signal(BaseException):
    """Control flow of the program's own (never an error): return, break, continue."""


class Return(Signal):
    def __init__(self, value: Any) -> None:
        super().__init__()
        self.value = value


class Break(Signal):
    pass


class Continue(Signal):
    pass


@dataclass(eq=False)
class UserFunction:
    """A function the program defined with `def` or `lambda`."""

    name: str
    qualname: str
    node: ast.FunctionDef | ast.Lambda
    defaults: tuple[Any, ...]  # for the last positional parameters
    kw_defaults: dict[str, Any]  # keyword-only parameters with defaults
    enclosing: Frame | None
    names: FunctionNames
    owner: Any = None  # the UserClass whose body defined it (for super())
    static: bool = False  # @staticmethod: never bound to an instance
    no_grad: bool = False  # @torch.no_grad(): the body runs with gradients off
    formula: str | None = None  # a return expression's text (custom backward cards)
    extra: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"<function {self.qualname} at {id(self):#x}>"

    __str__ = __repr__


@dataclass(eq=False)
class BoundMethod:
    """A method of the program's own class, bound to an instance."""

    function: UserFunction
    receiver: Any

    def __repr__(self) -> str:
        return f"<bound method {self.function.qualname} of {self.receiver!r}>"

    __str__ = __repr__


class GeneratorValue:
    """A generator: a generator expression's items, made as they are asked for, or what
    calling a generator function gives.

    A generator function's body runs to its end at the call (its items are then handed out
    one by one): a generator function that prints shows its output before the loop that
    consumes it does.
    """

    def __init__(self, items: Iterable[Any], name: str) -> None:
        self._items = iter(items)
        self._name = name

    def __iter__(self) -> Iterator[Any]:
        return self._items

    def __next__(self) -> Any:
        return next(self._items)

    def __repr__(self) -> str:
        return f"<generator object {self._name} at {id(self):#x}>"

    __str__ = __repr__


def collect(frame: Frame, value: Any) -> None:
    """`yield value` inside a generator function."""
    items = frame.yielded
    if items is None:
        raise ProgramTypeError("'yield' outside a function")
    items.append(value)
    if len(items) > MAX_LIST_ELEMENTS:
        raise LimitError(f"a generator is limited to {MAX_LIST_ELEMENTS} items")


def _described(function: UserFunction) -> str:
    return f"{function.name}()"


def bind(function: UserFunction, args: tuple[Any, ...], kwargs: dict[str, Any]
         ) -> dict[str, Any]:
    """The call's arguments as the function's local names, with CPython's errors."""
    spec = function.node.args
    positional = [a.arg for a in (*spec.posonlyargs, *spec.args)]
    keyword_only = [a.arg for a in spec.kwonlyargs]
    where = _described(function)
    bound: dict[str, Any] = {}
    for name, value in zip(positional, args, strict=False):
        bound[name] = value
    extra = args[len(positional):]
    if spec.vararg is not None:
        bound[spec.vararg.arg] = tuple(extra)
    elif extra:
        given = len(args)
        expected = len(positional)
        takes = f"{expected} positional argument{'s' if expected != 1 else ''}"
        if function.defaults:
            low = expected - len(function.defaults)
            takes = f"from {low} to {expected} positional arguments"
        raise ProgramTypeError(f"{where} takes {takes} but {given} "
                               f"{'was' if given == 1 else 'were'} given")
    rest: dict[str, Any] = {}
    posonly = {a.arg for a in spec.posonlyargs}
    for name, value in kwargs.items():
        if name in bound or (name in positional and name in bound):
            raise ProgramTypeError(f"{where} got multiple values for argument '{name}'")
        if (name in positional and name not in posonly) or name in keyword_only:
            bound[name] = value
        elif spec.kwarg is not None:
            rest[name] = value
        else:
            raise ProgramTypeError(f"{where} got an unexpected keyword argument '{name}'")
    if spec.kwarg is not None:
        bound[spec.kwarg.arg] = rest
    first_default = len(positional) - len(function.defaults)
    missing = []
    for index, name in enumerate(positional):
        if name not in bound:
            if index >= first_default:
                bound[name] = function.defaults[index - first_default]
            else:
                missing.append(name)
    if missing:
        raise ProgramTypeError(f"{where} missing {len(missing)} required positional "
                               f"argument{'s' if len(missing) > 1 else ''}: "
                               f"{_names(missing)}")
    missing = []
    for name in keyword_only:
        if name not in bound:
            if name in function.kw_defaults:
                bound[name] = function.kw_defaults[name]
            else:
                missing.append(name)
    if missing:
        raise ProgramTypeError(f"{where} missing {len(missing)} required keyword-only "
                               f"argument{'s' if len(missing) > 1 else ''}: "
                               f"{_names(missing)}")
    return bound


def _names(names: list[str]) -> str:
    quoted = [f"'{n}'" for n in names]
    if len(quoted) == 1:
        return quoted[0]
    return ", ".join(quoted[:-1]) + f"{',' if len(quoted) > 2 else ''} and {quoted[-1]}"


class Callback:
    """A function of the program's, handed to torch or a builtin that calls it back
    (gradcheck, jacobian, sorted's key, LambdaLR): a Python callable of chainrule's own
    that runs the function through the interpreter."""

    def __init__(self, call: Callable[..., Any], target: Any) -> None:
        self._call = call
        self.target = target

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._call(self.target, args, kwargs)

    def __repr__(self) -> str:
        return repr(self.target)
