"""Run a checked program: statements here, expressions in expressions.py.

`Interpreter(tracer).run(parse_source(text))` checks the whole tree first (check.py),
then runs it statement by statement over the allowlist tables.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Iterator
from typing import Any

import torch
from torch import nn

from chainrule.errors import ChainruleError, LimitError, NotAllowedError, ProgramTypeError
from chainrule.language import calls
from chainrule.language.calls import PlainTracer, Span, Tracer
from chainrule.language.check import check_tree
from chainrule.language.expressions import ErrorsAt, Evaluator, place
from chainrule.language.members import kind
from chainrule.language.parse import Parsed
from chainrule.language.tables import IMPORTS
from chainrule.language.values import BoundedIterator
from chainrule.settings import MAX_LOOP_ITERATIONS

__all__ = ["Interpreter", "PlainTracer", "Span", "Tracer"]

_INPLACE: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.iadd, ast.Sub: operator.isub, ast.Mult: operator.imul,
    ast.Div: operator.itruediv, ast.FloorDiv: operator.ifloordiv, ast.Mod: operator.imod,
    ast.Pow: operator.ipow, ast.MatMult: operator.imatmul,
}
_CONTEXTS = (torch.no_grad, torch.enable_grad)
_DONE = object()  # the end of a loop's items
_ITERABLE = (range, list, tuple, torch.Size, BoundedIterator, nn.Sequential, nn.ModuleList)


class Interpreter(Evaluator):
    """Runs one program; `env` holds its names, `stdout` what it printed."""

    def __init__(self, tracer: Tracer, env: dict[str, Any] | None = None) -> None:
        super().__init__(tracer, env)
        self._stmt: dict[type[ast.stmt], Callable[[Any], None]] = {
            ast.Expr: self._expr_stmt, ast.Assign: self._assign, ast.AugAssign: self._augassign,
            ast.For: self._for, ast.With: self._with, ast.If: self._if, ast.Pass: _noop,
            ast.Import: self._import, ast.ImportFrom: self._import,
        }

    # --- entry ------------------------------------------------------------------------

    def run(self, parsed: Parsed) -> Any:
        """Check, then run every statement; return the value of a lone expression."""
        self._lines = parsed.lines
        try:
            check_tree(parsed.tree, self.env)
            if parsed.expression is not None:
                return self.evaluate(parsed.expression)
            self._block(parsed.tree.body)
            return None
        except ChainruleError as exc:
            if exc.line is not None and exc.col is not None:
                exc.col = self._char_col(exc.line, exc.col)
            raise

    def _block(self, body: list[ast.stmt]) -> None:
        for stmt in body:
            self.execute(stmt)

    def execute(self, node: ast.stmt) -> None:
        self._tick(node)
        try:
            self._stmt[type(node)](node)
        except BaseException as exc:
            place(exc, node)
            raise

    def _expr_stmt(self, node: ast.Expr) -> None:
        self.evaluate(node.value)

    def _assign(self, node: ast.Assign) -> None:
        value = self.evaluate(node.value)
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
            calls.set_attribute(self.tracer, self.evaluate(target.value), target.attr, value)
        elif isinstance(target, ast.Subscript):
            self._set_item(target, value)
        else:
            raise NotAllowedError("this assignment target is not allowed",
                                  target.lineno, target.col_offset)

    def _unpack(self, value: Any, n: int, node: ast.expr) -> list[Any]:
        items: list[Any]
        if isinstance(value, torch.Tensor):
            items = list(calls.rows(self.tracer, value, self._span(node)))
        elif isinstance(value, tuple | list | torch.Size):
            items = list(value)
        else:
            raise ProgramTypeError(f"cannot unpack non-iterable {type(value).__name__} object",
                                   node.lineno, node.col_offset)
        if len(items) > n:
            raise ProgramTypeError(f"too many values to unpack (expected {n})",
                                   node.lineno, node.col_offset)
        if len(items) < n:
            raise ProgramTypeError(f"not enough values to unpack (expected {n}, got "
                                   f"{len(items)})", node.lineno, node.col_offset)
        return items

    def _set_item(self, target: ast.Subscript, value: Any) -> None:
        self._put_item(self.evaluate(target.value), self.evaluate(target.slice), value, target)

    def _put_item(self, owner: Any, index: Any, value: Any, target: ast.Subscript) -> None:
        if not isinstance(owner, torch.Tensor):
            raise NotAllowedError(f"item assignment on a {kind(owner)} is not allowed",
                                  target.lineno, target.col_offset)
        self.tracer.mutating()
        self.tracer.call(operator.setitem, (owner, index, value), {}, self._span(target))

    def _augassign(self, node: ast.AugAssign) -> None:
        """`t op= v` as Python runs it: read the target once, apply the in-place operator,
        store the result back (an attribute that still holds it is left as it is)."""
        target = node.target
        if isinstance(target, ast.Attribute):
            owner = self.evaluate(target.value)
            current = calls.get_attribute(self.tracer, owner, target.attr, self._span(target))
            result = self._inplace(node, current, self.evaluate(node.value))
            if result is not current:
                calls.set_attribute(self.tracer, owner, target.attr, result)
        elif isinstance(target, ast.Subscript):
            owner, index = self.evaluate(target.value), self.evaluate(target.slice)
            current = self._get_item(owner, index, target)
            self._put_item(owner, index, self._inplace(node, current, self.evaluate(node.value)),
                           target)
        else:
            current = self.evaluate(target)
            self._store(target, self._inplace(node, current, self.evaluate(node.value)))

    def _inplace(self, node: ast.AugAssign, current: Any, value: Any) -> Any:
        op = type(node.op)
        if isinstance(current, torch.Tensor):
            self.tracer.mutating()
            return self.tracer.call(_INPLACE[op], (current, value), {}, self._span(node))
        return self._arith(op, current, value, node)

    def _for(self, node: ast.For) -> None:
        iterable = self.evaluate(node.iter)
        with ErrorsAt(node.iter):  # a refused or failing iterator points at what it loops over
            items = self._iterate(iterable, node)
        for count in range(MAX_LOOP_ITERATIONS + 1):
            with ErrorsAt(node.iter):
                item = next(items, _DONE)
            if item is _DONE:
                return
            if count == MAX_LOOP_ITERATIONS:
                raise LimitError(f"a loop ran more than {MAX_LOOP_ITERATIONS} times",
                                 node.iter.lineno, node.iter.col_offset)
            self._store(node.target, item)
            self._block(node.body)

    def _iterate(self, value: Any, node: ast.For) -> Iterator[Any]:
        if isinstance(value, torch.Tensor):
            return iter(calls.rows(self.tracer, value, self._span(node.iter)))
        if isinstance(value, _ITERABLE):
            return iter(value)
        raise ProgramTypeError(f"'{type(value).__name__}' object is not iterable")

    def _with(self, node: ast.With) -> None:
        managers = [self.evaluate(item.context_expr) for item in node.items]
        if not all(isinstance(m, _CONTEXTS) for m in managers):
            raise NotAllowedError("only 'with torch.no_grad():' and 'with torch.enable_grad():'"
                                  " are allowed", node.lineno, node.col_offset)
        _run_with(managers, lambda: self._block(node.body))

    def _if(self, node: ast.If) -> None:
        self._block(node.body if self._truth(self.evaluate(node.test), node.test) else node.orelse)

    def _import(self, node: ast.Import | ast.ImportFrom) -> None:
        for alias in node.names:
            if isinstance(node, ast.Import) and alias.asname is None:
                root = alias.name.split(".")[0]  # `import torch.nn` binds `torch`, as Python
                self.env[root] = IMPORTS[root]
            elif isinstance(node, ast.Import):
                self.env[alias.asname or alias.name] = IMPORTS[alias.name]
            else:
                full = f"{node.module}.{alias.name}"
                value = IMPORTS[full] if full in IMPORTS \
                    else IMPORTS[node.module or ""].members[alias.name]
                self.env[alias.asname or alias.name] = value


def _noop(_: Any) -> None:
    return None


def _run_with(managers: list[Any], body: Callable[[], object]) -> None:
    if not managers:
        body()
        return
    with managers[0]:
        _run_with(managers[1:], body)
