"""Run a checked program: statements here, expressions in expressions.py.

`Interpreter(tracer).run(parse_source(text))` checks the whole tree first (check.py),
then runs it statement by statement over the allowlist tables.
"""

from __future__ import annotations

import ast
import contextlib
import operator
import random
import sys
import weakref
from collections.abc import Callable, Iterator
from typing import Any

import torch
from torch import nn

from chainrule.errors import (
    AssertionFailed,
    ChainruleError,
    LimitError,
    NotAllowedError,
    ProgramTypeError,
)
from chainrule.language import classes
from chainrule.language.bounded import check_data
from chainrule.language.builtins import bounded_list
from chainrule.language.calls import PlainTracer, Tracer
from chainrule.language.check import check_tree
from chainrule.language.expressions import ErrorsAt, Evaluator, place
from chainrule.language.functions import Break, Continue, Return, UserFunction
from chainrule.language.members import kind
from chainrule.language.parse import Parsed
from chainrule.language.scope import Frame, FunctionNames
from chainrule.language.stdlib import MATH, pyplot_namespace, random_namespace
from chainrule.language.tables import IMPORTS, NN, TORCH, F
from chainrule.language.values import Function, Namespace, items_left
from chainrule.settings import MAX_LIST_ELEMENTS, PROGRAM_SEED

__all__ = ["Interpreter", "PlainTracer", "Tracer"]

_INPLACE: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.iadd, ast.Sub: operator.isub, ast.Mult: operator.imul,
    ast.Div: operator.itruediv, ast.FloorDiv: operator.ifloordiv, ast.Mod: operator.imod,
    ast.Pow: operator.ipow, ast.MatMult: operator.imatmul,
}
_CONTEXTS = (torch.no_grad, torch.enable_grad, torch.set_grad_enabled, torch.inference_mode)
# Names an expression may use without importing them (a single expression has no imports).
EXPRESSION_NAMES: dict[str, Namespace] = {"torch": TORCH, "nn": NN, "F": F, "math": MATH}


class Loop:
    """A for-loop running: whether its iteration now is sure to be followed by another
    (`again`: items are left, over a range, list, tuple, dict or string, or enumerate and
    zip of them; a `break` or `return` may still end it early), and a mark the tracer may
    set on it (trace/tracer.py: a call in it was only logged)."""

    __slots__ = ("again", "counted", "marked")

    def __init__(self) -> None:
        self.again = False
        self.counted = True  # False: a `break` or `return` in it may end it any time
        self.marked = False


def _may_leave_early(loop: ast.For) -> bool:
    """Whether a for-loop's body holds a `break` of its own (not a nested loop's) or a
    `return` (not a nested function's): then no iteration is sure to have another."""
    stack: list[tuple[ast.AST, bool]] = [(n, False) for n in (*loop.body, *loop.orelse)]
    while stack:
        node, nested = stack.pop()  # nested: inside a loop within this one
        if isinstance(node, ast.Return) or (isinstance(node, ast.Break) and not nested):
            return True
        if isinstance(node, ast.FunctionDef | ast.Lambda | ast.ClassDef):
            continue
        inner = nested or isinstance(node, ast.For | ast.While)
        stack.extend((child, inner) for child in ast.iter_child_nodes(node))
    return False


class Interpreter(Evaluator):
    """Runs one program; `env` holds its names, `stdout` what it printed."""

    def __init__(self, tracer: Tracer, env: dict[str, Any] | None = None) -> None:
        super().__init__(tracer, env)
        # This program's own generators and stand-ins, made when first imported: nothing of
        # them outlives the run.
        self._own_modules: dict[str, Namespace] = {}
        self._stmt: dict[type[ast.stmt], Callable[[Any], None]] = {
            ast.Expr: self._expr_stmt, ast.Assign: self._assign, ast.AugAssign: self._augassign,
            ast.For: self._for, ast.While: self._while, ast.With: self._with, ast.If: self._if,
            ast.Pass: _noop, ast.Import: self._import, ast.ImportFrom: self._import,
            ast.FunctionDef: self._def, ast.ClassDef: self._class, ast.Return: self._return,
            ast.Break: _break, ast.Continue: _continue, ast.Global: _noop,
            ast.Nonlocal: _noop, ast.Assert: self._assert,
        }
        self.loops: list[Loop] = []  # the for-loops running, outermost first
        self._leaves_early: dict[ast.For, bool] = {}  # has a break or return of its own

    # --- entry ------------------------------------------------------------------------

    def run(self, parsed: Parsed) -> Any:
        """Check, then run every statement; return the value of a lone expression."""
        self._lines = parsed.lines
        try:
            with _recursion_room():
                return self._run(parsed)
        except ChainruleError as exc:
            if exc.line is not None and exc.col is not None:
                exc.col = self._char_col(exc.line, exc.col)
            raise

    def _run(self, parsed: Parsed) -> Any:
        if parsed.expression is not None:
            for name, namespace in EXPRESSION_NAMES.items():
                self.env.setdefault(name, namespace)
        check_tree(parsed.tree, self.env)
        if parsed.expression is not None:
            return self.evaluate(parsed.expression)
        self._block(parsed.tree.body)
        return None

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

    # --- assignment -------------------------------------------------------------------

    def _assign(self, node: ast.Assign) -> None:
        value = self.evaluate(node.value)
        for target in node.targets:
            self.store(target, value)

    def store(self, target: ast.expr, value: Any) -> None:
        if isinstance(target, ast.Name):
            self._store_name(target.id, value)
        elif isinstance(target, ast.Tuple | ast.List):
            self._unpack_into(target.elts, value, target)
        elif isinstance(target, ast.Attribute):
            self.set_attribute(self.evaluate(target.value), target.attr, value)
        elif isinstance(target, ast.Subscript):
            self._set_item(target, value)
        else:
            raise NotAllowedError("this assignment target is not allowed",
                                  target.lineno, target.col_offset)

    def _store_name(self, name: str, value: Any) -> None:
        frame = self.frame
        if frame is None:
            self.env[name] = value
            if isinstance(value, torch.Tensor):
                self.last_tensor = value
                if value.grad_fn is not None:
                    self.last_graph = value
        elif frame.is_class or not (frame.names.declared_global
                                    or frame.names.declared_nonlocal):
            frame.locals[name] = value
        elif name in frame.names.declared_global:
            self.env[name] = value
        elif name in frame.names.declared_nonlocal:
            holder = frame.holder(name)
            if holder is None:
                raise NotAllowedError(f"no binding for nonlocal '{name}' found")
            holder.locals[name] = value
        else:
            frame.locals[name] = value

    def _unpack_into(self, targets: list[ast.expr], value: Any, node: ast.expr) -> None:
        starred = [i for i, t in enumerate(targets) if isinstance(t, ast.Starred)]
        items = self._unpack(value, node)
        if not starred:
            n = len(targets)
            if len(items) > n:
                raise ProgramTypeError(f"too many values to unpack (expected {n})")
            if len(items) < n:
                raise ProgramTypeError(f"not enough values to unpack (expected {n}, got "
                                       f"{len(items)})")
            for target, item in zip(targets, items, strict=True):
                self.store(target, item)
            return
        if len(starred) > 1:
            raise ProgramTypeError("multiple starred expressions in assignment")
        index = starred[0]
        after = len(targets) - index - 1
        if len(items) < len(targets) - 1:
            raise ProgramTypeError(f"not enough values to unpack (expected at least "
                                   f"{len(targets) - 1}, got {len(items)})")
        for target, item in zip(targets[:index], items[:index], strict=True):
            self.store(target, item)
        star = targets[index]
        assert isinstance(star, ast.Starred)
        self.store(star.value, items[index:len(items) - after])
        for target, item in zip(targets[index + 1:], items[len(items) - after:], strict=True):
            self.store(target, item)

    def _unpack(self, value: Any, node: ast.expr) -> list[Any]:
        if isinstance(value, tuple | list | torch.Size):
            return list(value)
        try:
            return list(self.items(value, node))[:MAX_LIST_ELEMENTS + 1]
        except ProgramTypeError:
            raise ProgramTypeError(f"cannot unpack non-iterable {type(value).__name__} "
                                   "object", node.lineno, node.col_offset) from None

    def _set_item(self, target: ast.Subscript, value: Any) -> None:
        self._put_item(self.evaluate(target.value), self.evaluate(target.slice), value, target)

    def _put_item(self, owner: Any, index: Any, value: Any, target: ast.Subscript) -> None:
        if isinstance(owner, torch.Tensor):
            check_data((index, value))
            self.tracer.call(operator.setitem, (owner, index, value), {}, self._span(target))
        elif isinstance(owner, list):
            owner[index] = value
            if len(owner) > MAX_LIST_ELEMENTS:
                raise LimitError(f"lists are limited to {MAX_LIST_ELEMENTS} items")
        elif isinstance(owner, dict):
            owner[index] = value
            if len(owner) > MAX_LIST_ELEMENTS:
                raise LimitError(f"dicts are limited to {MAX_LIST_ELEMENTS} items")
        elif isinstance(owner, nn.ModuleDict | nn.ModuleList | nn.Sequential):
            owner[index] = value
        else:
            raise NotAllowedError(f"item assignment on a {kind(owner)} is not allowed",
                                  target.lineno, target.col_offset)

    def _augassign(self, node: ast.AugAssign) -> None:
        """`t op= v` as Python runs it: read the target once, apply the in-place operator,
        store the result back (an attribute that still holds it is left as it is)."""
        target = node.target
        if isinstance(target, ast.Attribute):
            owner = self.evaluate(target.value)
            current = self.get_attribute(owner, target.attr, target)
            result = self._inplace(node, current, self.evaluate(node.value))
            if result is not current:
                self.set_attribute(owner, target.attr, result)
        elif isinstance(target, ast.Subscript):
            owner, index = self.evaluate(target.value), self.evaluate(target.slice)
            current = self._get_item(owner, index, target)
            self._put_item(owner, index, self._inplace(node, current, self.evaluate(node.value)),
                           target)
        else:
            current = self.evaluate(target)
            self.store(target, self._inplace(node, current, self.evaluate(node.value)))

    def _inplace(self, node: ast.AugAssign, current: Any, value: Any) -> Any:
        op = type(node.op)
        if isinstance(current, torch.Tensor):
            return self.tracer.call(_INPLACE[op], (current, value), {}, self._span(node))
        if isinstance(current, list) and op is ast.Add:  # lst += items extends in place
            items = bounded_list(value)
            if len(current) + len(items) > MAX_LIST_ELEMENTS:
                raise LimitError(f"lists are limited to {MAX_LIST_ELEMENTS} items")
            current.extend(items)
            return current
        return self._arith(op, current, value, node)

    # --- control flow -----------------------------------------------------------------

    def _for(self, node: ast.For) -> None:
        iterable = self.evaluate(node.iter)
        with ErrorsAt(node.iter):  # a refused or failing iterator points at what it loops over
            items = self.items(iterable, node.iter)
        loop = Loop()
        exits = self._leaves_early.get(node)
        if exits is None:
            exits = self._leaves_early[node] = _may_leave_early(node)
        loop.counted = not exits
        self.loops.append(loop)
        try:
            self._iterate(node, items, loop)
        finally:
            self.loops.pop()

    def _iterate(self, node: ast.For, items: Iterator[Any], loop: Loop) -> None:
        while True:
            with ErrorsAt(node.iter):
                item = next(items, _DONE)
            if item is _DONE:
                return
            self.store(node.target, item)
            left = items_left(items) if loop.counted else None
            loop.again = left is not None and left > 0
            try:
                self._block(node.body)
            except Break:
                return
            except Continue:
                continue

    def _while(self, node: ast.While) -> None:
        while self._truth(self.evaluate(node.test), node.test):
            try:
                self._block(node.body)
            except Break:
                return
            except Continue:
                continue

    def _return(self, node: ast.Return) -> None:
        raise Return(None if node.value is None else self.evaluate(node.value))

    def _with(self, node: ast.With) -> None:
        managers = [self.evaluate(item.context_expr) for item in node.items]
        if not all(isinstance(m, _CONTEXTS) for m in managers):
            raise NotAllowedError("only 'with torch.no_grad():', 'with torch.enable_grad():' "
                                  "and 'with torch.set_grad_enabled(...):' are allowed",
                                  node.lineno, node.col_offset)
        _run_with(managers, lambda: self._block(node.body))

    def _if(self, node: ast.If) -> None:
        self._block(node.body if self._truth(self.evaluate(node.test), node.test) else node.orelse)

    def _assert(self, node: ast.Assert) -> None:
        if not self._truth(self.evaluate(node.test), node.test):
            message = "" if node.msg is None \
                else f": {self.out.stable(str(self.evaluate(node.msg)))}"
            raise AssertionFailed(f"AssertionError{message}", node.lineno, node.col_offset)

    # --- definitions ------------------------------------------------------------------

    def _def(self, node: ast.FunctionDef) -> None:
        args = node.args
        defaults = tuple(self.evaluate(d) for d in args.defaults)
        kw_defaults = {a.arg: self.evaluate(d) for a, d in
                       zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is not None}
        decorators = {_decorator(d) for d in node.decorator_list}
        frame = self.frame
        owner = frame.extra.get("class") if frame is not None and frame.is_class else None
        enclosing = frame.enclosing if frame is not None and frame.is_class else frame
        function = UserFunction(node.name, self.qualified(node.name), node, defaults,
                                kw_defaults, enclosing, self.analysed(node), owner=owner,
                                static="staticmethod" in decorators,
                                no_grad="no_grad" in decorators)
        self._store_name(node.name, function)

    def _class(self, node: ast.ClassDef) -> None:
        base = self.evaluate(node.bases[0]) if node.bases else None
        with ErrorsAt(node.bases[0] if node.bases else node):
            kind_, parent, real_base = _base_of(base)
        cls = classes.UserClass(node.name, kind_, parent, real_base, runner_ref=weakref.ref(self))
        outer = self.frame
        self.frame = Frame(cls.namespace, FunctionNames(frozenset()), outer, is_class=True,
                           extra={"class": cls})
        try:
            self._block(node.body)
        finally:
            self.frame = outer
        cls.real = classes.build(cls)
        if kind_ == "function":
            formula = _backward_formula(cls)
            if formula is not None:
                self.tracer.custom_backward(
                    cls.real._backward_cls, formula)  # type: ignore[attr-defined]
        self._store_name(node.name, cls)

    # --- imports ----------------------------------------------------------------------

    def module(self, name: str) -> Namespace:
        """What `import name` binds: the tables' namespace, or this program's own `random`
        (seeded from the documented state) and `matplotlib.pyplot` (noting its calls)."""
        if name not in _OWN:
            return IMPORTS[name]
        known = self._own_modules.get(name)
        if known is None:
            if name == "random":
                known = random_namespace(random.Random(PROGRAM_SEED))
            elif name == "matplotlib.pyplot":
                known = pyplot_namespace(self.out.note)
            else:
                known = Namespace("matplotlib", {"pyplot": self.module("matplotlib.pyplot")})
            self._own_modules[name] = known
        return known

    def _import(self, node: ast.Import | ast.ImportFrom) -> None:
        for alias in node.names:
            if isinstance(node, ast.Import) and alias.asname is None:
                root = alias.name.split(".")[0]  # `import torch.nn` binds `torch`, as Python
                value: Any = self.module(root)
            elif isinstance(node, ast.Import):
                value = self.module(alias.name)
            else:
                full = f"{node.module}.{alias.name}"
                value = self.module(full) if full in IMPORTS \
                    else self.module(node.module or "").members[alias.name]
            self._store_name(alias.asname or (alias.name.split(".")[0] if isinstance(
                node, ast.Import) else alias.name), value)


_DONE = object()  # the end of a loop's items
_OWN = frozenset({"random", "matplotlib", "matplotlib.pyplot"})  # made per program
# The program's own functions may call each other MAX_CALL_DEPTH deep, each call a dozen
# Python frames of the interpreter: room for that while the program runs (parsing keeps
# Python's own limit, and so does the rest of the process).
PYTHON_RECURSION_LIMIT = 20_000


@contextlib.contextmanager
def _recursion_room() -> Iterator[None]:
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(max(previous, PYTHON_RECURSION_LIMIT))
    try:
        yield
    finally:
        sys.setrecursionlimit(previous)


def _noop(_: Any) -> None:
    return None


def _break(_: Any) -> None:
    raise Break


def _continue(_: Any) -> None:
    raise Continue


def _decorator(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr
    return ""


def _base_of(base: Any) -> tuple[str, classes.UserClass | None, type]:
    """A class's kind, its parent of the program's, and the torch or Python class at the
    root of its bases."""
    if base is None:
        return "plain", None, object
    if isinstance(base, classes.UserClass):
        return base.kind, base, base.real_base
    real = base.type_for_isinstance if isinstance(base, Function) else None
    if real in classes.BASES:
        assert real is not None
        return classes.BASES[real], None, real
    raise NotAllowedError("a class may derive from nn.Module, torch.autograd.Function, "
                          "torch.utils.data.Dataset or a class of the program's own")


def _backward_formula(cls: classes.UserClass) -> str | None:
    """A custom Function's local derivative as the program wrote it: the expression its
    backward returns (for the chain-rule card)."""
    backward = cls.lookup("backward")
    if not isinstance(backward, UserFunction) or not isinstance(backward.node, ast.FunctionDef):
        return None
    returns = [n.value for n in ast.walk(backward.node) if isinstance(n, ast.Return) and n.value]
    return ast.unparse(returns[-1]) if returns else None


def _run_with(managers: list[Any], body: Callable[[], object]) -> None:
    if not managers:
        body()
        return
    with managers[0]:
        _run_with(managers[1:], body)
