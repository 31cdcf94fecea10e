"""Evaluate a checked syntax tree over the allowlist tables.

Handlers are tables: syntax-node type -> method, operator -> function. Every call that
makes tensors goes through a `Tracer`, which records what torch produced and where.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Iterator
from typing import Any, Protocol

import torch
from torch import nn

from chainrule.errors import (
    ChainruleError,
    LimitError,
    NotAllowedError,
    ProgramTypeError,
    TorchError,
    UnknownNameError,
)
from chainrule.language import builtins
from chainrule.language.check import check_tree
from chainrule.language.parse import Parsed
from chainrule.language.tables import (
    IMPORTS,
    KEYWORDS,
    MODULE_METHODS,
    OPTIMIZER_METHODS,
    RETURN_TYPE_FIELDS,
    TENSOR_ATTRIBUTES,
    TENSOR_METHODS,
    Attribute,
    module_attribute,
)
from chainrule.language.values import Bound, Function, Namespace
from chainrule.settings import MAX_INT_MAGNITUDE, MAX_LOOP_ITERATIONS, MAX_STEPS

Span = tuple[int, int, int, int]  # line, col, end_line, end_col


class Tracer(Protocol):
    """What the interpreter tells the trace layer; the trace layer never parses."""

    def call(self, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any],
             span: Span) -> Any: ...

    def backward(self, tensor: torch.Tensor, kwargs: dict[str, Any], span: Span) -> None: ...

    def mutating(self) -> None: ...


class PlainTracer:
    """Runs calls as they are: for tests of the language alone."""

    def call(self, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any],
             span: Span) -> Any:
        return fn(*args, **kwargs)

    def backward(self, tensor: torch.Tensor, kwargs: dict[str, Any], span: Span) -> None:
        tensor.backward(**kwargs)

    def mutating(self) -> None:
        return None


_BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
    ast.Pow: operator.pow, ast.MatMult: operator.matmul,
}
_INPLACE: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.iadd, ast.Sub: operator.isub, ast.Mult: operator.imul,
    ast.Div: operator.itruediv, ast.FloorDiv: operator.ifloordiv, ast.Mod: operator.imod,
    ast.Pow: operator.ipow, ast.MatMult: operator.imatmul,
}
_UNARY: dict[type[ast.unaryop], Callable[[Any], Any]] = {
    ast.USub: operator.neg, ast.UAdd: operator.pos, ast.Not: operator.not_,
}
_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge, ast.Is: operator.is_, ast.IsNot: operator.is_not,
}
_PLAIN = (int, float, bool)
_CONTEXTS = (torch.no_grad, torch.enable_grad)


def _span(node: ast.AST) -> Span:
    line = getattr(node, "lineno", 0)
    col = getattr(node, "col_offset", 0)
    end_line = getattr(node, "end_lineno", None) or line
    return line, col, end_line, getattr(node, "end_col_offset", None) or col


class Interpreter:
    """Runs one program; `env` holds its names, `stdout` what it printed."""

    def __init__(self, tracer: Tracer, env: dict[str, Any] | None = None) -> None:
        self.tracer = tracer
        self.env: dict[str, Any] = dict(env or {})
        self.out = builtins.Output()
        self.steps = 0
        self.last_tensor: torch.Tensor | None = None  # the tensor assigned last
        self.builtins = builtins.table(self.out)
        self._stmt: dict[type[ast.stmt], Callable[[Any], None]] = {
            ast.Expr: self._expr_stmt, ast.Assign: self._assign, ast.AugAssign: self._augassign,
            ast.For: self._for, ast.With: self._with, ast.If: self._if, ast.Pass: _noop,
            ast.Import: self._import, ast.ImportFrom: self._import_from,
        }
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

    # --- entry ------------------------------------------------------------------------

    def run(self, parsed: Parsed) -> Any:
        """Check, then run every statement; return the value of a lone expression."""
        check_tree(parsed.tree)
        if parsed.expression is not None:
            return self.eval(parsed.expression)
        self._block(parsed.tree.body)
        return None

    def _block(self, body: list[ast.stmt]) -> None:
        for stmt in body:
            self.exec(stmt)

    def exec(self, node: ast.stmt) -> None:
        self._tick(node)
        try:
            self._stmt[type(node)](node)
        except ChainruleError as exc:
            raise exc.at(node.lineno, node.col_offset) from None

    def eval(self, node: ast.expr) -> Any:
        self._tick(node)
        handler = self._expr.get(type(node))
        if handler is None:
            raise NotAllowedError(f"'{type(node).__name__}' syntax not allowed",
                                  node.lineno, node.col_offset)
        try:
            return handler(node)
        except ChainruleError as exc:
            raise exc.at(node.lineno, node.col_offset) from None
        except (RuntimeError, ValueError, TypeError, IndexError, ZeroDivisionError,
                OverflowError, NotImplementedError, AttributeError, KeyError) as exc:
            raise TorchError(_torch_message(exc), node.lineno, node.col_offset) from None

    def _tick(self, node: ast.AST) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise LimitError(f"the program ran more than {MAX_STEPS} steps",
                             getattr(node, "lineno", None), getattr(node, "col_offset", None))

    # --- statements -------------------------------------------------------------------

    def _expr_stmt(self, node: ast.Expr) -> None:
        self.eval(node.value)

    def _assign(self, node: ast.Assign) -> None:
        value = self.eval(node.value)
        for target in node.targets:
            self._store(target, value)

    def _store(self, target: ast.expr, value: Any) -> None:
        if isinstance(target, ast.Name):
            self.env[target.id] = value
            if isinstance(value, torch.Tensor):
                self.last_tensor = value
        elif isinstance(target, ast.Tuple | ast.List):
            items = self._unpack(value, len(target.elts), target)
            for elt, item in zip(target.elts, items, strict=True):
                self._store(elt, item)
        elif isinstance(target, ast.Attribute):
            self._set_attribute(target, value)
        elif isinstance(target, ast.Subscript):
            self._set_item(target, value)
        else:
            raise NotAllowedError("this assignment target is not allowed",
                                  target.lineno, target.col_offset)

    def _unpack(self, value: Any, n: int, node: ast.expr) -> list[Any]:
        items: list[Any]
        if isinstance(value, torch.Tensor) and value.dim() > 0 \
                and len(value) <= MAX_LOOP_ITERATIONS:
            items = list(value.unbind(0))
        elif isinstance(value, tuple | list | torch.Size):
            items = list(value)
        else:
            raise ProgramTypeError(f"cannot unpack a {_kind(value)} into {n} names",
                                   node.lineno, node.col_offset)
        if len(items) != n:
            raise ProgramTypeError(f"expected {n} values to unpack, got {len(items)}",
                                   node.lineno, node.col_offset)
        return items

    def _set_attribute(self, target: ast.Attribute, value: Any) -> None:
        owner = self.eval(target.value)
        attr = _attribute_entry(owner, target.attr)
        if attr is None or attr.set is None:
            raise NotAllowedError(f"setting attribute '{target.attr}' is not allowed",
                                  target.lineno, target.col_offset)
        self.tracer.mutating()
        attr.set(owner, value)

    def _set_item(self, target: ast.Subscript, value: Any) -> None:
        owner = self.eval(target.value)
        if not isinstance(owner, torch.Tensor):
            raise NotAllowedError(f"item assignment on a {_kind(owner)} is not allowed",
                                  target.lineno, target.col_offset)
        index = self.eval(target.slice)
        self.tracer.mutating()
        self.tracer.call(torch.Tensor.__setitem__, (owner, index, value), {}, _span(target))

    def _augassign(self, node: ast.AugAssign) -> None:
        target = node.target
        current = self.eval(_as_load(target))
        value = self.eval(node.value)
        op = type(node.op)
        if isinstance(current, torch.Tensor):
            self.tracer.mutating()
            result = self.tracer.call(_INPLACE[op], (current, value), {}, _span(node))
        else:
            result = self._arith(op, current, value, node)
        self._store(target, result)

    def _for(self, node: ast.For) -> None:
        iterable = self.eval(node.iter)
        for count, item in enumerate(_iterate(iterable, node)):
            if count >= MAX_LOOP_ITERATIONS:
                raise LimitError(f"a loop ran more than {MAX_LOOP_ITERATIONS} times",
                                 node.lineno, node.col_offset)
            self._store(node.target, item)
            self._block(node.body)
        if node.orelse:
            raise NotAllowedError("for ... else is not allowed", node.lineno, node.col_offset)

    def _with(self, node: ast.With) -> None:
        managers = []
        for item in node.items:
            manager = self.eval(item.context_expr)
            if not isinstance(manager, _CONTEXTS) or item.optional_vars is not None:
                raise NotAllowedError("only 'with torch.no_grad():' and 'with torch.enable_grad():'"
                                      " are allowed", node.lineno, node.col_offset)
            managers.append(manager)
        _run_with(managers, lambda: self._block(node.body))

    def _if(self, node: ast.If) -> None:
        self._block(node.body if self._truth(self.eval(node.test), node.test) else node.orelse)

    def _import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.asname:
                self.env[alias.asname] = IMPORTS[alias.name]
            else:  # `import torch.nn` binds `torch`, as Python does
                self.env[alias.name.split(".")[0]] = IMPORTS[alias.name.split(".")[0]]

    def _import_from(self, node: ast.ImportFrom) -> None:
        for alias in node.names:
            self.env[alias.asname or alias.name] = IMPORTS[f"{node.module}.{alias.name}"]

    # --- expressions ------------------------------------------------------------------

    def _constant(self, node: ast.Constant) -> Any:
        value = node.value
        if isinstance(value, int) and not isinstance(value, bool) \
                and abs(value) > MAX_INT_MAGNITUDE:
            raise LimitError(f"integer literals are limited to {MAX_INT_MAGNITUDE:.0e}")
        if value is Ellipsis or value is None or isinstance(value, int | float | str | bool):
            return value
        raise NotAllowedError(f"{type(value).__name__} literals are not allowed")

    def _name(self, node: ast.Name) -> Any:
        if node.id in self.env:
            return self.env[node.id]
        if node.id in self.builtins:
            return self.builtins[node.id]
        raise UnknownNameError(f"unknown name '{node.id}'")

    def _attribute(self, node: ast.Attribute) -> Any:
        owner = self.eval(node.value)
        name = node.attr
        if isinstance(owner, Namespace):
            if name not in owner.members:
                raise NotAllowedError(f"'{owner.name}.{name}' is not available")
            return owner.members[name]
        method = _method_entry(owner, name)
        if method is not None:
            return Bound(f"{_kind(owner)}.{name}", owner, method.fn, method.torch_op)
        attr = _attribute_entry(owner, name)
        if attr is None:
            raise NotAllowedError(f"attribute '{name}' of a {_kind(owner)} is not available")
        if isinstance(owner, torch.Tensor) and name in ("T", "mT"):
            return self.tracer.call(attr.get, (owner,), {}, _span(node))
        return attr.get(owner)

    def _call(self, node: ast.Call) -> Any:
        func = self.eval(node.func)
        args = tuple(self.eval(a) for a in node.args)
        kwargs: dict[str, Any] = {}
        for kw in node.keywords:
            assert kw.arg is not None  # ** was refused by the check
            if kw.arg not in KEYWORDS:
                raise NotAllowedError(f"keyword argument '{kw.arg}' is not allowed",
                                      kw.lineno, kw.col_offset)
            kwargs[kw.arg] = self.eval(kw.value)
        span = _span(node)
        if isinstance(func, Bound):
            if func.fn is torch.Tensor.backward:
                self.tracer.backward(func.receiver, kwargs, span)
                return None
            if func.name.endswith("_") or func.fn in _MUTATORS:
                self.tracer.mutating()
            if func.torch_op:
                return self.tracer.call(func.fn, (func.receiver, *args), kwargs, span)
            return func.fn(func.receiver, *args, **kwargs)
        if isinstance(func, Function):
            if func.torch_op:
                return self.tracer.call(func.fn, args, kwargs, span)
            return func.fn(*args, **kwargs)
        if isinstance(func, builtins.Builtin):
            return func.fn(*args, **kwargs)
        if isinstance(func, nn.Module):
            return self.tracer.call(func, args, kwargs, span)
        raise ProgramTypeError(f"a {_kind(func)} is not callable")

    def _binop(self, node: ast.BinOp) -> Any:
        left = self.eval(node.left)
        right = self.eval(node.right)
        return self._arith(type(node.op), left, right, node)

    def _arith(self, op: type[ast.operator], left: Any, right: Any, node: ast.AST) -> Any:
        if isinstance(left, torch.Tensor) or isinstance(right, torch.Tensor):
            return self.tracer.call(_BINARY[op], (left, right), {}, _span(node))
        return builtins.arithmetic(op, _BINARY[op], left, right)

    def _unaryop(self, node: ast.UnaryOp) -> Any:
        operand = self.eval(node.operand)
        fn = _UNARY[type(node.op)]
        if isinstance(node.op, ast.Not):
            return not self._truth(operand, node.operand)
        if isinstance(operand, torch.Tensor):
            return self.tracer.call(fn, (operand,), {}, _span(node))
        if not isinstance(operand, _PLAIN):
            raise ProgramTypeError(f"unary minus does not apply to a {_kind(operand)}")
        return fn(operand)

    def _boolop(self, node: ast.BoolOp) -> Any:
        is_and = isinstance(node.op, ast.And)
        value: Any = None
        for expr in node.values:
            value = self.eval(expr)
            if self._truth(value, expr) != is_and:
                return value
        return value

    def _compare(self, node: ast.Compare) -> Any:
        left = self.eval(node.left)
        result: Any = True
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = self.eval(comparator)
            fn = _COMPARE[type(op)]
            if isinstance(left, torch.Tensor) or isinstance(right, torch.Tensor):
                if isinstance(op, ast.Is | ast.IsNot):
                    result = fn(left, right)
                else:
                    result = self.tracer.call(fn, (left, right), {}, _span(node))
            else:
                builtins.check_comparable(left, right, op)
                result = fn(left, right)
            if len(node.ops) > 1 and not self._truth(result, node):
                return result
            left = right
        return result

    def _ifexp(self, node: ast.IfExp) -> Any:
        return self.eval(node.body if self._truth(self.eval(node.test), node.test) else node.orelse)

    def _subscript(self, node: ast.Subscript) -> Any:
        owner = self.eval(node.value)
        index = self.eval(node.slice)
        if isinstance(owner, torch.Tensor):
            return self.tracer.call(operator.getitem, (owner, index), {}, _span(node))
        if isinstance(owner, nn.Sequential | nn.ModuleList | list | tuple | torch.Size | str):
            return owner[index]
        raise ProgramTypeError(f"a {_kind(owner)} cannot be indexed")

    def _slice(self, node: ast.Slice) -> slice:
        parts = [None if p is None else self.eval(p) for p in (node.lower, node.upper, node.step)]
        return slice(*parts)

    def _tuple(self, node: ast.Tuple) -> tuple[Any, ...]:
        return tuple(self.eval(e) for e in node.elts)

    def _list(self, node: ast.List) -> list[Any]:
        return [self.eval(e) for e in node.elts]

    def _joinedstr(self, node: ast.JoinedStr) -> str:
        parts: list[str] = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(str(value.value))
            else:
                assert isinstance(value, ast.FormattedValue)
                parts.append(builtins.format_value(
                    self.eval(value.value), value.conversion, _spec(value.format_spec)))
        return "".join(parts)

    def _truth(self, value: Any, node: ast.AST) -> bool:
        if isinstance(value, torch.Tensor) and value.numel() != 1:
            raise TorchError("Boolean value of Tensor with more than one value is ambiguous",
                             getattr(node, "lineno", None), getattr(node, "col_offset", None))
        return bool(value)


_MUTATORS = frozenset({OPTIMIZER_METHODS["step"].fn, OPTIMIZER_METHODS["zero_grad"].fn,
                       MODULE_METHODS["zero_grad"].fn})


def _noop(_: Any) -> None:
    return None


def _as_load(target: ast.expr) -> ast.expr:
    """The same target read as an expression (for augmented assignment)."""
    if isinstance(target, ast.Name | ast.Attribute | ast.Subscript):
        return target
    raise NotAllowedError("this augmented assignment target is not allowed",
                          target.lineno, target.col_offset)


def _spec(spec: ast.expr | None) -> str:
    if spec is None:
        return ""
    assert isinstance(spec, ast.JoinedStr)
    return "".join(str(v.value) for v in spec.values if isinstance(v, ast.Constant))


def _run_with(managers: list[Any], body: Callable[[], None]) -> None:
    if not managers:
        body()
        return
    with managers[0]:
        _run_with(managers[1:], body)


def _iterate(value: Any, node: ast.For) -> Iterator[Any]:
    if isinstance(value, range | list | tuple | torch.Size | builtins.SafeIterator):
        return iter(value)
    if isinstance(value, torch.Tensor) and value.dim() > 0:
        return iter(value.unbind(0))
    if isinstance(value, nn.Sequential | nn.ModuleList):
        return iter(value)
    raise ProgramTypeError(f"cannot loop over a {_kind(value)}", node.lineno, node.col_offset)


def _method_entry(owner: Any, name: str) -> Function | None:
    if isinstance(owner, torch.Tensor):
        return TENSOR_METHODS.get(name)
    if isinstance(owner, nn.Module):
        return MODULE_METHODS.get(name)
    if isinstance(owner, torch.optim.Optimizer):
        return OPTIMIZER_METHODS.get(name)
    return None


def _attribute_entry(owner: Any, name: str) -> Attribute | None:
    if isinstance(owner, torch.Tensor):
        return TENSOR_ATTRIBUTES.get(name)
    if isinstance(owner, nn.Module):
        return module_attribute(owner, name)
    if isinstance(owner, tuple) and hasattr(owner, "_fields") and name in RETURN_TYPE_FIELDS:
        position = RETURN_TYPE_FIELDS.index(name)
        return Attribute(lambda t: t[position])
    return None


def _kind(value: Any) -> str:
    """A name for a value's type in messages."""
    if isinstance(value, torch.Tensor):
        return "tensor"
    if isinstance(value, nn.Module):
        return f"{type(value).__name__} module"
    if isinstance(value, Namespace):
        return "module"
    if value is None:
        return "None"
    return type(value).__name__


def _torch_message(exc: BaseException) -> str:
    """torch's message without its C++ traceback."""
    text = str(exc).strip() or type(exc).__name__
    for cut in ("\nException raised from", "\nFrame "):
        if cut in text:
            text = text.split(cut, 1)[0]
    if isinstance(exc, ZeroDivisionError | OverflowError):
        return f"{type(exc).__name__}: {text}"
    return text.strip()
