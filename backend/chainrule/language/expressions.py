"""Evaluate expressions over the allowlist tables: the half of the interpreter that
computes values (interpreter.py runs the statements).

Handlers are tables: syntax-node type -> method, operator -> function. Every operation
that can make a tensor goes through the `Tracer`; what torch raises comes back as a
TorchError with torch's message and the place (`ErrorsAt`).
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable
from typing import Any

import torch
from torch import nn

from chainrule.errors import (
    ArithmeticFault,
    ChainruleError,
    LimitError,
    NotAllowedError,
    ProgramTypeError,
    TorchError,
    UnknownNameError,
)
from chainrule.language import builtins, calls
from chainrule.language.bounded import Output
from chainrule.language.calls import Span, Tracer
from chainrule.language.members import kind
from chainrule.language.parse import char_column
from chainrule.settings import MAX_INT_MAGNITUDE, MAX_STEPS

BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
    ast.Pow: operator.pow, ast.MatMult: operator.matmul,
}
_UNARY: dict[type[ast.unaryop], Callable[[Any], Any]] = {
    ast.USub: operator.neg, ast.UAdd: operator.pos,
}
_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge, ast.Is: operator.is_, ast.IsNot: operator.is_not,
}
_PLAIN = (int, float, bool)
_INDEXABLE = (nn.Sequential, nn.ModuleList, list, tuple, torch.Size, str)
# What torch (or Python inside a torch call) raises when a program asks for something
# impossible: shown to the user as a TorchError with the message and the line.
_TORCH_EXCEPTIONS = (ArithmeticError, AssertionError, AttributeError, BufferError,
                     LookupError, NotImplementedError, RuntimeError, TypeError, ValueError,
                     Warning)


class Evaluator:
    """Evaluates expressions; `env` holds the program's names, `stdout` what it printed."""

    def __init__(self, tracer: Tracer, env: dict[str, Any] | None = None) -> None:
        self.tracer = tracer
        self.env: dict[str, Any] = dict(env or {})
        self.out = Output()
        self.steps = 0
        self.last_tensor: torch.Tensor | None = None  # the tensor assigned last
        self.builtins = builtins.table(self.out)
        self._lines: tuple[str, ...] = ()  # the source, to count columns in characters
        self._expr: dict[type[ast.expr], Callable[[Any], Any]] = {
            ast.Constant: self._constant, ast.Name: self._name, ast.Attribute: self._attribute,
            ast.Call: self._call, ast.BinOp: self._binop, ast.UnaryOp: self._unaryop,
            ast.BoolOp: self._boolop, ast.Compare: self._compare, ast.IfExp: self._ifexp,
            ast.Subscript: self._subscript, ast.Slice: self._slice, ast.Tuple: self._tuple,
            ast.List: self._list, ast.JoinedStr: self._joinedstr,
        }

    @property
    def stdout(self) -> str:
        return self.out.text()

    def evaluate(self, node: ast.expr) -> Any:
        self._tick(node)
        handler = self._expr.get(type(node))
        if handler is None:  # the check refuses these first; this is a second wall
            raise NotAllowedError(f"'{type(node).__name__}' syntax is not allowed",
                                  node.lineno, node.col_offset)
        try:
            return handler(node)
        except BaseException as exc:
            place(exc, node)
            raise

    def _tick(self, node: ast.AST) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise LimitError(f"the program ran more than {MAX_STEPS} steps",
                             getattr(node, "lineno", None), getattr(node, "col_offset", None))

    def _char_col(self, line: int, byte_col: int) -> int:
        return char_column(self._lines, line, byte_col)

    def _span(self, node: ast.AST) -> Span:
        line = getattr(node, "lineno", 0)
        col = getattr(node, "col_offset", 0)
        end_line = getattr(node, "end_lineno", None) or line
        end_col = getattr(node, "end_col_offset", None) or col
        return line, self._char_col(line, col), end_line, self._char_col(end_line, end_col)

    # --- expressions ------------------------------------------------------------------

    def _constant(self, node: ast.Constant) -> Any:
        value = node.value
        if isinstance(value, int) and not isinstance(value, bool) \
                and abs(value) > MAX_INT_MAGNITUDE:
            raise LimitError(f"integer literals are limited to {MAX_INT_MAGNITUDE:.0e}")
        return value

    def _name(self, node: ast.Name) -> Any:
        if node.id in self.env:
            return self.env[node.id]
        if node.id in self.builtins:
            return self.builtins[node.id]
        raise UnknownNameError(f"unknown name '{node.id}'")

    def _attribute(self, node: ast.Attribute) -> Any:
        return calls.get_attribute(self.tracer, self.evaluate(node.value), node.attr,
                                   self._span(node))

    def _call(self, node: ast.Call) -> Any:
        func = self.evaluate(node.func)
        args = tuple(self.evaluate(a) for a in node.args)
        kwargs = {kw.arg: self.evaluate(kw.value) for kw in node.keywords if kw.arg is not None}
        return calls.call(self.tracer, func, args, kwargs, self._span(node))

    def _binop(self, node: ast.BinOp) -> Any:
        left = self.evaluate(node.left)
        right = self.evaluate(node.right)
        return self._arith(type(node.op), left, right, node)

    def _arith(self, op: type[ast.operator], left: Any, right: Any, node: ast.AST) -> Any:
        # A string never meets torch: '%9999999s' % x would format a tensor unbounded.
        strings = isinstance(left, str) or isinstance(right, str)
        if not strings and (isinstance(left, torch.Tensor) or isinstance(right, torch.Tensor)):
            return self.tracer.call(BINARY[op], (left, right), {}, self._span(node))
        return builtins.arithmetic(op, BINARY[op], left, right)

    def _unaryop(self, node: ast.UnaryOp) -> Any:
        operand = self.evaluate(node.operand)
        if isinstance(node.op, ast.Not):
            return not self._truth(operand, node.operand)
        fn = _UNARY[type(node.op)]
        if isinstance(operand, torch.Tensor):
            return self.tracer.call(fn, (operand,), {}, self._span(node))
        if not isinstance(operand, _PLAIN):
            raise ProgramTypeError(f"bad operand type for a sign: '{kind(operand)}'")
        return fn(operand)

    def _boolop(self, node: ast.BoolOp) -> Any:
        is_and = isinstance(node.op, ast.And)
        value: Any = None
        for expr in node.values:
            value = self.evaluate(expr)
            if self._truth(value, expr) != is_and:
                return value
        return value

    def _compare(self, node: ast.Compare) -> Any:
        left = self.evaluate(node.left)
        result: Any = True
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = self.evaluate(comparator)
            fn = _COMPARE[type(op)]
            tensors = isinstance(left, torch.Tensor) or isinstance(right, torch.Tensor)
            if tensors and not isinstance(op, ast.Is | ast.IsNot):
                result = self.tracer.call(fn, (left, right), {}, self._span(node))
            else:
                if not tensors:
                    builtins.check_comparable(left, right, op)
                result = fn(left, right)
            if len(node.ops) > 1 and not self._truth(result, node):
                return result
            left = right
        return result

    def _ifexp(self, node: ast.IfExp) -> Any:
        chosen = node.body if self._truth(self.evaluate(node.test), node.test) else node.orelse
        return self.evaluate(chosen)

    def _subscript(self, node: ast.Subscript) -> Any:
        return self._get_item(self.evaluate(node.value), self.evaluate(node.slice), node)

    def _get_item(self, owner: Any, index: Any, node: ast.AST) -> Any:
        if isinstance(owner, torch.Tensor):
            return self.tracer.call(operator.getitem, (owner, index), {}, self._span(node))
        if isinstance(owner, _INDEXABLE):
            return owner[index]
        raise ProgramTypeError(f"'{type(owner).__name__}' object is not subscriptable")

    def _slice(self, node: ast.Slice) -> slice:
        bounds = (node.lower, node.upper, node.step)
        parts = [None if p is None else self.evaluate(p) for p in bounds]
        return slice(*parts)

    def _tuple(self, node: ast.Tuple) -> tuple[Any, ...]:
        return tuple(self.evaluate(e) for e in node.elts)

    def _list(self, node: ast.List) -> list[Any]:
        return [self.evaluate(e) for e in node.elts]

    def _joinedstr(self, node: ast.JoinedStr) -> str:
        parts: list[str] = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(str(value.value))
            else:
                assert isinstance(value, ast.FormattedValue)
                parts.append(builtins.format_value(
                    self.evaluate(value.value), value.conversion, _spec(value.format_spec)))
        return self.out.stable("".join(parts))

    def _truth(self, value: Any, node: ast.AST) -> bool:
        if isinstance(value, torch.Tensor) and value.numel() != 1:
            raise TorchError("Boolean value of Tensor with more than one value is ambiguous",
                             getattr(node, "lineno", None), getattr(node, "col_offset", None))
        return bool(value)


class ErrorsAt:
    """Gives an error the place of the innermost node it came from; turns what torch
    raised into a TorchError with torch's message."""

    def __init__(self, node: ast.stmt | ast.expr) -> None:
        self.node = node

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind_: type[BaseException] | None, exc: BaseException | None,
                 _tb: object) -> None:
        if exc is not None:
            place(exc, self.node)


def place(exc: BaseException, node: ast.stmt | ast.expr) -> None:
    """What ErrorsAt does, for a handler's `except`: give a ChainruleError `node`'s place
    (the caller re-raises it), or raise the ChainruleError a Python or torch error means.
    The interpreter's hot paths use this in try/except, which costs nothing until an error."""
    if isinstance(exc, ChainruleError):
        exc.at(node.lineno, node.col_offset)
    elif isinstance(exc, RecursionError | MemoryError):
        raise LimitError(f"the program ran out of {_RESOURCE[type(exc)]}",
                         node.lineno, node.col_offset) from None
    elif isinstance(exc, _TORCH_EXCEPTIONS):
        kind = ArithmeticFault if isinstance(exc, ArithmeticError) else TorchError
        raise kind(_torch_message(exc), node.lineno, node.col_offset) from None


_RESOURCE: dict[type[BaseException], str] = {RecursionError: "stack", MemoryError: "memory"}


def _spec(spec: ast.expr | None) -> str:
    if spec is None:
        return ""
    assert isinstance(spec, ast.JoinedStr)
    return "".join(str(v.value) for v in spec.values if isinstance(v, ast.Constant))


def _torch_message(exc: BaseException) -> str:
    """torch's message without its C++ traceback."""
    text = str(exc).strip() or type(exc).__name__
    for cut in ("\nException raised from", "\nFrame "):
        if cut in text:
            text = text.split(cut, 1)[0]
    if isinstance(exc, ArithmeticError):
        return f"{type(exc).__name__}: {text}"
    return text.strip()

