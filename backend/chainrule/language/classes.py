"""Classes the program defines: plain classes, nn.Module and autograd.Function subclasses,
Datasets.

Each class gets a real Python class of the program's name, so torch treats its instances
as its own (`print(model)` shows `Net(...)`, optimizers see the parameters, autograd runs
the custom backward, DataLoader indexes the dataset). That class holds no code of the
program's: its methods are chainrule's bridges, which run the program's methods (syntax
trees) through the interpreter. An instance's attributes live in torch's registries
(`_parameters`, `_buffers`, `_modules`) or in a table of chainrule's own, and are read
from there by key: never `getattr` with a name the program wrote.
"""

from __future__ import annotations

import types
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import torch
import torch.utils.data
from torch import nn

from chainrule.errors import NotAllowedError, ProgramTypeError
from chainrule.language.bounded import check_module_depth
from chainrule.language.functions import BoundMethod, UserFunction
from chainrule.language.values import Function

_CLASS = "_chainrule_class"  # the real class's link to its UserClass
_ATTRIBUTES = "_chainrule_attributes"  # an instance's table of plain attributes
_REGISTRIES = ("_parameters", "_buffers", "_modules")  # torch's, in Module.__getattr__'s order
# Methods the program may define with a double underscore, and what Python calls them for.
DUNDERS = frozenset({"__init__", "__call__", "__len__", "__getitem__", "__repr__", "__str__",
                     "__iter__"})
_BRIDGED = ("__call__", "__len__", "__getitem__", "__repr__", "__str__", "__iter__")


class Runner(Protocol):
    """What a class needs of the interpreter: to run one of the program's functions."""

    def call_user(self, function: UserFunction, args: tuple[Any, ...],
                  kwargs: dict[str, Any]) -> Any: ...


# The bases a program's class may have, by kind.
BASES: dict[Any, str] = {
    nn.Module: "module",
    torch.autograd.Function: "function",
    torch.utils.data.Dataset: "dataset",
    object: "plain",
}


@dataclass(eq=False)
class UserClass:
    """A class the program defined."""

    name: str
    kind: str  # plain, module, function, dataset
    base: UserClass | None  # a class of the program's it derives from
    real_base: type  # the torch (or Python) class at the root of its bases
    namespace: dict[str, Any] = field(default_factory=dict)  # methods, class attributes
    runner_ref: weakref.ref[Runner] | None = None  # weak: instances live inside torch's
    # graph (a module on a record), where the collector cannot see a cycle back to here
    real: type = object

    @property
    def runner(self) -> Runner | None:
        return None if self.runner_ref is None else self.runner_ref()

    def lookup(self, name: str) -> Any:
        """A method or class attribute, from this class or its bases; _MISSING if none."""
        cls: UserClass | None = self
        while cls is not None:
            if name in cls.namespace:
                return cls.namespace[name]
            cls = cls.base
        return _MISSING

    def __repr__(self) -> str:
        return repr(self.real)

    __str__ = __repr__

    @property
    def type_for_isinstance(self) -> type:
        return self.real


_MISSING = object()


def missing(value: Any) -> bool:
    return value is _MISSING


def user_class_of(value: Any) -> UserClass | None:
    """The program's class of an instance, or None for any other value."""
    known = type(value).__dict__.get(_CLASS)
    return known if isinstance(known, UserClass) else None


def build(cls: UserClass) -> type:
    """The real class of a program's class, with bridges for what Python and torch call."""
    namespace: dict[str, Any] = {"__module__": "__main__", "__qualname__": cls.name, _CLASS: cls}
    if cls.kind == "function":
        namespace["forward"] = staticmethod(_function_bridge(cls, "forward"))
        namespace["backward"] = staticmethod(_function_bridge(cls, "backward"))
    else:
        if cls.kind == "module":
            namespace["forward"] = _forward
        for name in _BRIDGED:
            if cls.kind == "module" and name == "__call__":
                continue  # Module.__call__ runs forward, hooks and all
            if not missing(cls.lookup(name)):
                namespace[name] = _BRIDGES[name]
    base = cls.base.real if cls.base is not None else cls.real_base
    return types.new_class(cls.name, (base,), exec_body=lambda ns: ns.update(namespace))


def _method(instance: Any, name: str) -> tuple[UserClass, UserFunction]:
    cls = user_class_of(instance)
    assert cls is not None and cls.runner is not None
    function = cls.lookup(name)
    if not isinstance(function, UserFunction):
        raise NotAllowedError(f"'{cls.name}' has no method {name}()")
    return cls, function


def call_method(instance: Any, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """Run the program's method `name` of `instance`."""
    cls, function = _method(instance, name)
    assert cls.runner is not None
    return cls.runner.call_user(function, (instance, *args), kwargs)


def _forward(self: Any, *args: Any, **kwargs: Any) -> Any:
    return call_method(self, "forward", args, kwargs)


def _bridge(name: str, check: type | None = None) -> Callable[..., Any]:
    def method(self: Any, *args: Any) -> Any:
        result = call_method(self, name, args, {})
        if check is not None and not isinstance(result, check):
            raise ProgramTypeError(f"{name} should return {check.__name__}, not "
                                   f"{type(result).__name__}")
        return result
    method.__name__ = name
    return method


_BRIDGES: dict[str, Callable[..., Any]] = {
    "__call__": _bridge("__call__"), "__len__": _bridge("__len__", int),
    "__getitem__": _bridge("__getitem__"), "__repr__": _bridge("__repr__", str),
    "__str__": _bridge("__str__", str), "__iter__": _bridge("__iter__"),
}


def _function_bridge(cls: UserClass, name: str) -> Callable[..., Any]:
    """forward(ctx, ...) and backward(ctx, ...) of an autograd.Function subclass."""

    def run(ctx: Any, *args: Any, **kwargs: Any) -> Any:
        function = cls.lookup(name)
        if not isinstance(function, UserFunction):
            raise NotAllowedError(f"'{cls.name}' must define {name}(ctx, ...)")
        assert cls.runner is not None
        return cls.runner.call_user(function, (ctx, *args), kwargs)
    run.__name__ = name
    return run


def instantiate(cls: UserClass, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """`Net(...)`: a new instance of the real class, initialised by the program's __init__."""
    if cls.kind == "function":
        raise NotAllowedError(f"use {cls.name}.apply(...) to run a custom autograd Function")
    instance: Any = object.__new__(cls.real)
    object.__setattr__(instance, _ATTRIBUTES, {})
    init = cls.lookup("__init__")
    if isinstance(init, UserFunction):
        assert cls.runner is not None
        result = cls.runner.call_user(init, (instance, *args), kwargs)
        if result is not None:
            raise ProgramTypeError(f"__init__() should return None, not "
                                   f"'{type(result).__name__}'")
    elif args or kwargs:
        raise ProgramTypeError(f"{cls.name}() takes no arguments")
    elif cls.kind == "module":
        nn.Module.__init__(instance)
    if isinstance(instance, nn.Module):
        check_module_depth(instance)
    return instance


def attributes(instance: Any) -> dict[str, Any]:
    """An instance's table of plain attributes (chainrule's own)."""
    table: dict[str, Any] | None = instance.__dict__.get(_ATTRIBUTES)
    if table is None:
        table = {}
        object.__setattr__(instance, _ATTRIBUTES, table)
    return table


def registered(module: nn.Module, name: str) -> Any:
    """A module's parameter, buffer or submodule called `name`, or _MISSING."""
    for registry in _REGISTRIES:
        table = module.__dict__.get(registry)
        if table is not None and name in table:
            return table[name]
    return _MISSING


def get(instance: Any, cls: UserClass, name: str) -> Any:
    """`instance.name` for an instance of the program's class: its own attributes, then
    torch's registries, then the class's methods and attributes; _MISSING when none has
    it (torch's own methods of a module are looked up after, in members.py)."""
    table = instance.__dict__.get(_ATTRIBUTES)
    if table is not None and name in table:
        return table[name]
    if isinstance(instance, nn.Module):
        found = registered(instance, name)
        if not missing(found):
            return found
    member = cls.lookup(name)
    if isinstance(member, UserFunction) and not member.static:
        return BoundMethod(member, instance)
    return member


def class_attribute(cls: UserClass, name: str) -> Any:
    """`Net.name`: a method (unbound) or class attribute, or torch's `apply` of a custom
    autograd Function; _MISSING otherwise."""
    member = cls.lookup(name)
    if missing(member) and cls.kind == "function" and name == "apply":
        # torch's own Function.apply: it runs under the tracer like any torch op.
        real: Any = cls.real
        return Function(f"{cls.name}.apply", real.apply)
    return member


def set_module_attribute(module: nn.Module, name: str, value: Any, own: bool) -> None:
    """`module.name = value` as nn.Module.__setattr__ does it, in torch's registries.
    `own`: the module's class is the program's, whose plain attributes go to its table."""
    params = module.__dict__.get("_parameters")
    buffers = module.__dict__.get("_buffers")
    modules = module.__dict__.get("_modules")
    table = attributes(module) if own else None
    if isinstance(value, nn.Parameter):
        if params is None:
            raise ProgramTypeError("cannot assign parameters before Module.__init__() call")
        _discard(name, table, buffers, modules)
        params[name] = value
    elif params is not None and name in params:
        if value is not None:
            raise ProgramTypeError(f"cannot assign '{torch.typename(value)}' as parameter "
                                   f"'{name}' (torch.nn.Parameter or None expected)")
        params[name] = value
    elif isinstance(value, nn.Module):
        if modules is None:
            raise ProgramTypeError("cannot assign module before Module.__init__() call")
        _discard(name, table, params, buffers)
        modules[name] = value
    elif modules is not None and name in modules:
        if value is not None:
            raise ProgramTypeError(f"cannot assign '{torch.typename(value)}' as child module "
                                   f"'{name}' (torch.nn.Module or None expected)")
        modules[name] = value
    elif buffers is not None and name in buffers:
        if value is not None and not isinstance(value, torch.Tensor):
            raise ProgramTypeError(f"cannot assign '{torch.typename(value)}' as buffer "
                                   f"'{name}' (torch.Tensor or None expected)")
        buffers[name] = value
    elif name == "training":
        module.training = bool(value)
    elif table is not None:
        table[name] = value
    else:
        raise NotAllowedError(f"setting attribute '{name}' of a {type(module).__name__} "
                              "module is not allowed")


def _discard(name: str, *tables: dict[str, Any] | None) -> None:
    for table in tables:
        if table is not None:
            table.pop(name, None)


@dataclass(eq=False)
class Super:
    """`super()` in a method: the class after `owner` in the instance's bases."""

    owner: UserClass
    instance: Any

    def __repr__(self) -> str:
        return f"<super: <class '{self.owner.name}'>, <{self.owner.name} object>>"


def super_attribute(sup: Super, name: str) -> Any:
    """`super().name`: a method of a base of the program's, or the root base's __init__."""
    cls = sup.owner.base
    while cls is not None:
        if name in cls.namespace:
            member = cls.namespace[name]
            if isinstance(member, UserFunction) and not member.static:
                return BoundMethod(member, sup.instance)
            return member
        cls = cls.base
    if name == "__init__":
        return RootInit(sup.owner.real_base, sup.instance)
    return _MISSING


@dataclass(eq=False)
class RootInit:
    """`super().__init__(...)` reaching torch's (or Python's) own __init__."""

    base: type
    instance: Any

    def __call__(self, *args: Any, **kwargs: Any) -> None:
        if self.base is nn.Module:
            if args or kwargs:
                raise ProgramTypeError("Module.__init__() takes no arguments")
            nn.Module.__init__(self.instance)
        elif args or kwargs:
            raise ProgramTypeError("object.__init__() takes exactly one argument (the "
                                   "instance to initialize)")

    def __repr__(self) -> str:
        return f"<method-wrapper '__init__' of {type(self.instance).__name__} object>"
