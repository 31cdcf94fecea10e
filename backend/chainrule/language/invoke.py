"""Calls and attributes as the interpreter meets them: the program's own functions,
classes and instances here; everything else through the tables (calls.py).

A function of the program's runs in a new frame; handed to torch or a builtin that calls
back (sorted's key, gradcheck), it travels as a Callback of chainrule's. Attributes of
the program's instances come from their tables and torch's registries (classes.py), then
from the tables of what they are (an nn.Module's parameters(), train(), ...).
"""

from __future__ import annotations

import ast
import contextlib
from typing import TYPE_CHECKING, Any

import torch
from torch import nn
from torch.autograd.function import FunctionCtx

from chainrule.errors import LimitError, NotAllowedError, ProgramTypeError
from chainrule.language import calls, classes, data
from chainrule.language.builtins import Builtin
from chainrule.language.functions import (
    BoundMethod,
    Callback,
    GeneratorValue,
    Return,
    UserFunction,
    bind,
)
from chainrule.language.members import attribute_entry, method_entry, refusal
from chainrule.language.scope import Frame
from chainrule.language.tables import KEYWORDS, on_cpu
from chainrule.language.values import Bound, Function
from chainrule.settings import MAX_CALL_DEPTH

if TYPE_CHECKING:
    from chainrule.language.bounded import Output
    from chainrule.language.calls import Tracer
    from chainrule.spans import Span

_CALLABLE_VALUES = (UserFunction, BoundMethod, classes.UserClass, Function, Bound, Builtin)
# Builtins whose arguments are values to look at, never functions to call back.
_TAKES_VALUES = frozenset({"isinstance", "print", "str", "repr", "callable", "list", "tuple",
                           "set", "dict", "len", "type"})


def _FORMAT(template: str, *args: Any, **kwargs: Any) -> str:  # noqa: N802 - a constant
    """str.format with chainrule's bounded formatter (addresses made stable by print)."""
    return data.format_string(template, args, kwargs, lambda text: text)


class Invoker:
    """The Evaluator's calls and attributes (mixed into it; see expressions.py)."""

    tracer: Tracer
    frame: Frame | None
    depth: int
    out: Output

    def evaluate(self, node: ast.expr) -> Any:
        raise NotImplementedError  # expressions.py

    def _block(self, body: list[ast.stmt]) -> None:
        raise NotImplementedError  # interpreter.py

    def _span(self, node: ast.AST) -> Span:
        raise NotImplementedError  # expressions.py

    # --- calls --------------------------------------------------------------------------

    def call_value(self, func: Any, args: tuple[Any, ...], kwargs: dict[str, Any],
                   node: ast.AST) -> Any:
        """Call whatever the program holds."""
        if isinstance(func, UserFunction):
            return self.call_user(func, args, kwargs)
        if isinstance(func, BoundMethod):
            return self.call_user(func.function, (func.receiver, *args), kwargs)
        if isinstance(func, classes.UserClass):
            return classes.instantiate(func, args, kwargs)
        if isinstance(func, classes.RootInit | Callback):
            return func(*args, **kwargs)
        if isinstance(func, Builtin) and func.name == "super":
            return self._super(args)
        cls = classes.user_class_of(func)
        if cls is not None and not isinstance(func, nn.Module):
            method = cls.lookup("__call__")
            if not isinstance(method, UserFunction):
                raise ProgramTypeError(f"'{cls.name}' object is not callable")
            return self.call_user(method, (func, *args), kwargs)
        if kwargs and cls is None and not _takes_any_keyword(func):
            _check_keywords(kwargs)
        if not (isinstance(func, Builtin) and func.name in _TAKES_VALUES):
            # Functions handed to torch or a builtin that calls them back (sorted's key,
            # gradcheck's function, Module.apply's initialiser) travel as Callbacks.
            if any(isinstance(a, _CALLABLE_VALUES) for a in args):
                args = tuple(self._callback(a, node) for a in args)
            if any(isinstance(v, _CALLABLE_VALUES) for v in kwargs.values()):
                kwargs = {k: self._callback(v, node) for k, v in kwargs.items()}
        return calls.call(self.tracer, func, args, kwargs, self._span(node))

    def _callback(self, value: Any, node: ast.AST) -> Any:
        if isinstance(value, _CALLABLE_VALUES):
            return Callback(lambda target, args, kwargs: self.call_value(target, args, kwargs,
                                                                         node), value)
        return value

    def call_user(self, function: UserFunction, args: tuple[Any, ...],
                  kwargs: dict[str, Any]) -> Any:
        """Run a function of the program's in a frame of its own."""
        if self.depth >= MAX_CALL_DEPTH:
            raise LimitError(f"functions called each other more than {MAX_CALL_DEPTH} deep "
                             "(a recursion without an end?)")
        frame = Frame(bind(function, args, kwargs), function.names, function.enclosing,
                      function, receiver=args[0] if args else None)
        if function.names.is_generator:
            frame.yielded = []
        outer = self.frame
        self.frame = frame
        self.depth += 1
        try:
            with torch.no_grad() if function.no_grad else contextlib.nullcontext():
                node = function.node
                if isinstance(node, ast.Lambda):
                    return self.evaluate(node.body)
                try:
                    self._block(node.body)
                except Return as done:
                    if frame.yielded is None:
                        return done.value
            if frame.yielded is not None:
                return GeneratorValue(frame.yielded, function.qualname)
            return None
        finally:
            self.frame = outer
            self.depth -= 1

    def _super(self, args: tuple[Any, ...]) -> classes.Super:
        if len(args) == 2:
            owner, instance = args
            if not isinstance(owner, classes.UserClass):
                raise ProgramTypeError("super() argument 1 must be a class of the program's")
            return classes.Super(owner, instance)
        if args:
            raise ProgramTypeError("super() takes no arguments or two")
        frame = self.frame
        while frame is not None and (frame.function is None or frame.function.owner is None):
            frame = frame.enclosing
        if frame is None or frame.function is None or frame.receiver is None:
            raise ProgramTypeError("super(): no arguments (use it inside a method)")
        return classes.Super(frame.function.owner, frame.receiver)

    # --- attributes ---------------------------------------------------------------------

    def get_attribute(self, owner: Any, name: str, node: ast.AST) -> Any:
        """`owner.name`."""
        if isinstance(owner, classes.Super):
            found = classes.super_attribute(owner, name)
            if classes.missing(found):
                raise ProgramTypeError(f"'super' object has no attribute '{name}'")
            return found
        if isinstance(owner, classes.UserClass):
            found = classes.class_attribute(owner, name)
            if classes.missing(found):
                raise ProgramTypeError(f"type object '{owner.name}' has no attribute '{name}'")
            return found
        cls = classes.user_class_of(owner)
        if cls is not None:
            found = classes.get(owner, cls, name)
            if not classes.missing(found):
                return found
            if not isinstance(owner, nn.Module):
                raise ProgramTypeError(f"'{cls.name}' object has no attribute '{name}'")
        elif isinstance(owner, FunctionCtx):
            table = classes.attributes(owner)
            if name in table:
                return table[name]
        elif isinstance(owner, str) and name == data.FORMAT:
            return Bound("str.format", owner, Function("str.format", _FORMAT,
                                                       torch_op=False, shown_as=str.format))
        refused = refusal(owner, name)
        if refused is not None:
            raise refused
        if isinstance(owner, nn.Module) and _member_of_table(owner, name) is None:
            found = classes.registered(owner, name)
            if not classes.missing(found):
                return found
        return calls.get_attribute(self.tracer, owner, name, self._span(node))

    def set_attribute(self, owner: Any, name: str, value: Any) -> None:
        """`owner.name = value`."""
        cls = classes.user_class_of(owner)
        if cls is not None:
            if isinstance(owner, nn.Module):
                classes.set_module_attribute(owner, name, value, own=True)
            else:
                classes.attributes(owner)[name] = value
            return
        if isinstance(owner, classes.UserClass):
            owner.namespace[name] = value
            return
        if isinstance(owner, FunctionCtx):
            classes.attributes(owner)[name] = value
            return
        if isinstance(owner, nn.Module) and (
                isinstance(value, nn.Parameter | nn.Module)
                or not classes.missing(classes.registered(owner, name))):
            classes.set_module_attribute(owner, name, value, own=False)
            return
        calls.set_attribute(self.tracer, owner, name, value)


def _member_of_table(owner: Any, name: str) -> object | None:
    return method_entry(owner, name) or attribute_entry(owner, name)


def _takes_any_keyword(func: Any) -> bool:
    """str.format and dict take keywords that are data (field names, keys); the plotting
    stand-ins take any (figsize=, bins=) and do nothing with them."""
    return (isinstance(func, Bound) and func.function.fn is _FORMAT) or \
        (isinstance(func, Builtin) and func.name == "dict") or \
        (isinstance(func, Function) and func.name.startswith("matplotlib.pyplot."))


def _check_keywords(kwargs: dict[str, Any]) -> None:
    """Keywords to torch and the builtins come from the allowlist (the static check lets a
    program's own parameter names through, for its own functions)."""
    for name in kwargs:
        if name not in KEYWORDS:
            raise NotAllowedError(f"keyword argument '{name}' is not allowed")
    if "device" in kwargs:
        on_cpu(kwargs["device"])
    generator = kwargs.get("generator")
    if generator is not None and not isinstance(generator, torch.Generator):
        raise ProgramTypeError("generator= takes a torch.Generator")
