"""Calls and attribute access: where the interpreter meets torch, through the tables.

Everything that can make a tensor goes through the `Tracer`, so the trace layer records
it and checks its size before it runs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import torch
from torch import nn

from chainrule.errors import LimitError, NotAllowedError, ProgramTypeError
from chainrule.language import builtins
from chainrule.language.bounded import check_data, check_module_depth
from chainrule.language.members import attribute_entry, kind, method_entry
from chainrule.language.values import Bound, Function, Namespace
from chainrule.settings import MAX_LIST_ELEMENTS
from chainrule.spans import Span


class Tracer(Protocol):
    """What the interpreter tells the trace layer; the trace layer never parses."""

    def call(self, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any],
             span: Span) -> Any: ...

    def backward(self, tensor: torch.Tensor, kwargs: dict[str, Any], span: Span) -> None: ...

    def custom_backward(self, node_class: type, formula: str) -> None: ...


class PlainTracer:
    """Runs calls as they are: for tests of the language alone."""

    def call(self, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any],
             span: Span) -> Any:
        return fn(*args, **kwargs)

    def backward(self, tensor: torch.Tensor, kwargs: dict[str, Any], span: Span) -> None:
        tensor.backward(**kwargs)

    def custom_backward(self, node_class: type, formula: str) -> None:
        return None


# Tensor.backward's parameters in order, so positional arguments can be passed by name.
_BACKWARD_PARAMETERS = ("gradient", "retain_graph", "create_graph", "inputs")


def get_attribute(tracer: Tracer, owner: Any, name: str, span: Span) -> Any:
    """`owner.name`, through the namespace or the value's tables."""
    if isinstance(owner, Namespace):
        if name not in owner.members:
            hint = f": {owner.hint}" if owner.hint else ""
            raise NotAllowedError(f"'{owner.name}.{name}' is not available{hint}")
        return owner.members[name]
    method = method_entry(owner, name)
    if method is not None:
        return Bound(f"{kind(owner)}.{name}", owner, method)
    attr = attribute_entry(owner, name)
    if attr is None:
        raise NotAllowedError(f"attribute '{name}' of a {kind(owner)} is not available")
    if attr.traced:
        return tracer.call(attr.get, (owner,), {}, span)
    return attr.get(owner)


def set_attribute(tracer: Tracer, owner: Any, name: str, value: Any) -> None:
    """`owner.name = value`, for the attributes whose table entry has a setter."""
    attr = attribute_entry(owner, name)
    if attr is None or attr.set is None:
        raise NotAllowedError(f"setting attribute '{name}' of a {kind(owner)} is not allowed")
    attr.set(owner, value)


def call(tracer: Tracer, func: Any, args: tuple[Any, ...], kwargs: dict[str, Any],
         span: Span) -> Any:
    """Call a value the program holds: a table function, a method, a builtin or a module."""
    if not isinstance(func, builtins.Builtin):  # torch reads nested lists as tensors
        check_data(args)
        check_data(kwargs.values())
    # torch walks a model at each place it holds a module (its forward, state_dict(),
    # apply()): a model grown past the limits after it was made is refused here.
    owner = func.receiver if isinstance(func, Bound) else func
    if isinstance(owner, nn.Module):
        check_module_depth(owner)
    if isinstance(func, Bound):
        function = func.function
        if function.fn is torch.Tensor.backward:
            tracer.backward(func.receiver, _backward_kwargs(args, kwargs), span)
            return None
        return _call_function(tracer, function, (func.receiver, *args), kwargs, span)
    if isinstance(func, Function):
        return _call_function(tracer, func, args, kwargs, span)
    if isinstance(func, builtins.Builtin):
        return _call_builtin(tracer, func, args, kwargs, span)
    if isinstance(func, nn.Module):
        return tracer.call(func, args, kwargs, span)
    raise ProgramTypeError(f"'{type(func).__name__}' object is not callable")


def _call_function(tracer: Tracer, function: Function, args: tuple[Any, ...],
                   kwargs: dict[str, Any], span: Span) -> Any:
    if function.torch_op:
        return tracer.call(function.fn, args, kwargs, span)
    return function.fn(*args, **kwargs)


def _backward_kwargs(args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
    """x.backward(g, True) as x.backward(gradient=g, retain_graph=True)."""
    if len(args) > len(_BACKWARD_PARAMETERS):
        raise ProgramTypeError(f"backward() takes at most {len(_BACKWARD_PARAMETERS)} "
                               f"arguments ({len(args)} given)")
    named = dict(zip(_BACKWARD_PARAMETERS, args, strict=False))
    for name in named:
        if name in kwargs:
            raise ProgramTypeError(f"backward() got multiple values for argument '{name}'")
    unknown = sorted(set(kwargs) - set(_BACKWARD_PARAMETERS))
    if unknown:
        raise ProgramTypeError(f"backward() got an unexpected keyword argument '{unknown[0]}'")
    return {**named, **kwargs}


def _call_builtin(tracer: Tracer, func: builtins.Builtin, args: tuple[Any, ...],
                  kwargs: dict[str, Any], span: Span) -> Any:
    if func.iterates == "all" or (func.iterates == "first" and args) \
            or (func.iterates == "alone" and len(args) == 1):
        count = len(args) if func.iterates == "all" else 1
        args = tuple(rows(tracer, a, span) if i < count and isinstance(a, torch.Tensor) else a
                     for i, a in enumerate(args))
    try:
        if func.traced:
            return tracer.call(func.fn, args, kwargs, span)
        return func.fn(*args, **kwargs)
    except TypeError as exc:  # wrong arguments to a builtin: len(), str(1, 2)
        raise ProgramTypeError(str(exc)) from None


def rows(tracer: Tracer, tensor: torch.Tensor, span: Span) -> tuple[torch.Tensor, ...]:
    """The tensor's rows, as iterating over it gives them, made under the tracer."""
    if tensor.dim() == 0:
        raise ProgramTypeError("iteration over a 0-d tensor")
    if len(tensor) > MAX_LIST_ELEMENTS:
        raise LimitError(f"iterating over a tensor is limited to {MAX_LIST_ELEMENTS} rows")
    return tuple(tracer.call(torch.Tensor.unbind, (tensor, 0), {}, span))
