"""Evaluate expressions over the allowlist tables: the half of the interpreter that
computes values (interpreter.py runs the statements, invoke.py calls and attributes).

Handlers are tables: syntax-node type -> method, operator -> function. Every operation
that can make a tensor goes through the `Tracer`; what torch raises comes back as a
TorchError with torch's message and the place (`ErrorsAt`).
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Iterator
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
from chainrule.language import builtins, calls, data
from chainrule.language.bounded import Output, check_data, format_value
from chainrule.language.calls import Tracer
from chainrule.language.classes import user_class_of
from chainrule.language.functions import GeneratorValue, UserFunction, collect
from chainrule.language.invoke import Invoker
from chainrule.language.members import kind
from chainrule.language.parse import char_column
from chainrule.language.scope import Frame, FunctionNames, analyse, comprehension_names
from chainrule.language.shapes import ShapeExplainer
from chainrule.settings import MAX_INT_MAGNITUDE, MAX_LIST_ELEMENTS, MAX_STEPS
from chainrule.spans import Span

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
_CONTAINS = (ast.In, ast.NotIn)
_PLAIN = (int, float, bool)
_INDEXABLE = (nn.Sequential, nn.ModuleList, nn.ModuleDict, nn.ParameterList, list, tuple,
              torch.Size, str, dict, range, torch.utils.data.Dataset)
_CONTAINERS: tuple[type, ...] = (
    list, tuple, set, frozenset, dict, str, range, torch.Size, nn.ModuleDict,
               type({}.keys()), type({}.values()), type({}.items()))
# What torch (or Python inside a torch call) raises when a program asks for something
# impossible: shown to the user as a TorchError with the message and the line.
_TORCH_EXCEPTIONS = (ArithmeticError, AssertionError, AttributeError, BufferError,
                     LookupError, NotImplementedError, RuntimeError, TypeError, ValueError,
                     Warning, StopIteration)


class Evaluator(Invoker):
    """Evaluates expressions; `env` holds the program's globals, `stdout` what it printed."""

    def __init__(self, tracer: Tracer, env: dict[str, Any] | None = None) -> None:
        # torch's shape errors come back naming the expression and its operands' shapes.
        self.tracer: Tracer = ShapeExplainer(tracer, lambda: self._lines, _torch_message)
        self.env: dict[str, Any] = dict(env or {})
        self.out = Output()
        self.steps = 0
        self.frame: Frame | None = None  # the running call of a function of the program's
        self.depth = 0  # calls of the program's functions inside each other
        self.last_tensor: torch.Tensor | None = None  # the tensor assigned last
        self.last_graph: torch.Tensor | None = None  # the one assigned last with a grad_fn
        self.builtins = builtins.table(self.out)
        self._lines: tuple[str, ...] = ()  # the source, to count columns in characters
        self._analysed: dict[int, FunctionNames] = {}  # per function node (held by the tree)
        self._expr: dict[type[ast.expr], Callable[[Any], Any]] = {
            ast.Constant: self._constant, ast.Name: self._name, ast.Attribute: self._attribute,
            ast.Call: self._call, ast.BinOp: self._binop, ast.UnaryOp: self._unaryop,
            ast.BoolOp: self._boolop, ast.Compare: self._compare, ast.IfExp: self._ifexp,
            ast.Subscript: self._subscript, ast.Slice: self._slice, ast.Tuple: self._tuple,
            ast.List: self._list, ast.JoinedStr: self._joinedstr, ast.Dict: self._dict,
            ast.Set: self._set, ast.Lambda: self._lambda, ast.ListComp: self._listcomp,
            ast.SetComp: self._setcomp, ast.DictComp: self._dictcomp,
            ast.GeneratorExp: self._genexp, ast.Yield: self._yield,
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

    # --- names --------------------------------------------------------------------------

    def _name(self, node: ast.Name) -> Any:
        name = node.id
        frame = self.frame
        if frame is not None:
            return self.lookup(frame, name)
        if name in self.env:
            return self.env[name]
        if name in self.builtins:
            return self.builtins[name]
        raise UnknownNameError(f"unknown name '{name}'")

    def lookup(self, frame: Frame, name: str) -> Any:
        """A name read inside a function (or class body): local, enclosing, global, builtin."""
        names = frame.names
        if frame.is_class:
            if name in frame.locals:
                return frame.locals[name]
        elif name in names.local:
            if name in frame.locals:
                return frame.locals[name]
            raise UnknownNameError(f"cannot access local variable '{name}' where it is not "
                                   "associated with a value")
        if name not in names.declared_global:
            holder = frame.holder(name)
            if holder is not None:
                if name in holder.locals:
                    return holder.locals[name]
                raise UnknownNameError(f"cannot access free variable '{name}' where it is "
                                       "not associated with a value in enclosing scope")
        if name in self.env:
            return self.env[name]
        if name in self.builtins:
            return self.builtins[name]
        raise UnknownNameError(f"unknown name '{name}'")

    def analysed(self, node: ast.FunctionDef | ast.Lambda) -> FunctionNames:
        """What a function body does with names, found once per function."""
        known = self._analysed.get(id(node))
        if known is None:
            body = node.body if isinstance(node, ast.FunctionDef) else [node.body]
            known = self._analysed[id(node)] = analyse(node.args, body)
        return known

    # --- expressions ------------------------------------------------------------------

    def _constant(self, node: ast.Constant) -> Any:
        value = node.value
        if isinstance(value, int) and not isinstance(value, bool) \
                and abs(value) > MAX_INT_MAGNITUDE:
            raise LimitError(f"integer literals are limited to {MAX_INT_MAGNITUDE:.0e}")
        return value

    def _attribute(self, node: ast.Attribute) -> Any:
        return self.get_attribute(self.evaluate(node.value), node.attr, node)

    def _call(self, node: ast.Call) -> Any:
        func = self.evaluate(node.func)
        if node.keywords or any(type(a) is ast.Starred for a in node.args):
            args, kwargs = self.arguments(node)
        else:
            args, kwargs = tuple([self.evaluate(a) for a in node.args]), {}
        return self.call_value(func, args, kwargs, node)

    def arguments(self, node: ast.Call) -> tuple[tuple[Any, ...], dict[str, Any]]:
        """A call's arguments, with *iterables and **dicts unpacked."""
        args: list[Any] = []
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                args.extend(self.items(self.evaluate(arg.value), arg))
            else:
                args.append(self.evaluate(arg))
        kwargs: dict[str, Any] = {}
        for keyword in node.keywords:
            value = self.evaluate(keyword.value)
            if keyword.arg is not None:
                kwargs[keyword.arg] = value
                continue
            if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
                raise ProgramTypeError("argument after ** must be a dict with string keys")
            for key, item in value.items():
                if key in kwargs:
                    raise ProgramTypeError(f"got multiple values for keyword argument '{key}'")
                kwargs[key] = item
        return tuple(args), kwargs

    def _binop(self, node: ast.BinOp) -> Any:
        left = self.evaluate(node.left)
        right = self.evaluate(node.right)
        return self._arith(type(node.op), left, right, node)

    def _arith(self, op: type[ast.operator], left: Any, right: Any, node: ast.AST) -> Any:
        # A string never meets torch: '%9999999s' % x would format a tensor unbounded.
        if isinstance(left, str) and op is ast.Mod:
            return data.percent_format(left, right, self.out.stable)
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
            if isinstance(op, _CONTAINS):
                result = self._contains(right, left, node)
                if isinstance(op, ast.NotIn):
                    result = not result
            else:
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

    def _contains(self, container: Any, item: Any, node: ast.AST) -> bool:
        if isinstance(container, torch.Tensor):
            return bool(self.tracer.call(operator.contains, (container, item), {},
                                         self._span(node)))
        if isinstance(container, _CONTAINERS):
            if isinstance(container, str) and not isinstance(item, str):
                raise ProgramTypeError("'in <string>' requires string as left operand, not "
                                       f"{type(item).__name__}")
            return item in container  # type: ignore[operator]
        if isinstance(container, GeneratorValue) or user_class_of(container):
            return any(item == x for x in self.items(container, node))
        raise ProgramTypeError(f"argument of type '{type(container).__name__}' is not "
                               "iterable")

    def _ifexp(self, node: ast.IfExp) -> Any:
        chosen = node.body if self._truth(self.evaluate(node.test), node.test) else node.orelse
        return self.evaluate(chosen)

    def _subscript(self, node: ast.Subscript) -> Any:
        return self._get_item(self.evaluate(node.value), self.evaluate(node.slice), node)

    def _get_item(self, owner: Any, index: Any, node: ast.AST) -> Any:
        if isinstance(owner, torch.Tensor):
            check_data((index,))
            return self.tracer.call(operator.getitem, (owner, index), {}, self._span(node))
        if isinstance(owner, _INDEXABLE) or user_class_of(owner) is not None:
            try:
                return owner[index]
            except KeyError as exc:
                raise ProgramTypeError(f"KeyError: {exc}") from None
            except IndexError as exc:
                raise ProgramTypeError(f"IndexError: {exc}") from None
        raise ProgramTypeError(f"'{type(owner).__name__}' object is not subscriptable")

    def _slice(self, node: ast.Slice) -> slice:
        bounds = (node.lower, node.upper, node.step)
        parts = [None if p is None else self.evaluate(p) for p in bounds]
        return slice(*parts)

    def _elements(self, elements: list[ast.expr]) -> list[Any]:
        """A display's elements, *iterables unpacked."""
        if not any(type(e) is ast.Starred for e in elements):
            return [self.evaluate(e) for e in elements]
        values: list[Any] = []
        for element in elements:
            if isinstance(element, ast.Starred):
                values.extend(self.items(self.evaluate(element.value), element))
            else:
                values.append(self.evaluate(element))
            if len(values) > MAX_LIST_ELEMENTS:
                raise LimitError(f"lists are limited to {MAX_LIST_ELEMENTS} items")
        return values

    def _tuple(self, node: ast.Tuple) -> tuple[Any, ...]:
        return tuple(self._elements(node.elts))

    def _list(self, node: ast.List) -> list[Any]:
        return self._elements(node.elts)

    def _set(self, node: ast.Set) -> set[Any]:
        return set(self._elements(node.elts))

    def _dict(self, node: ast.Dict) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        for key, value in zip(node.keys, node.values, strict=True):
            if key is None:  # {**other}
                other = self.evaluate(value)
                if not isinstance(other, dict):
                    raise ProgramTypeError(f"'{type(other).__name__}' object is not a mapping")
                result.update(other)
            else:
                result[self.evaluate(key)] = self.evaluate(value)
        if len(result) > MAX_LIST_ELEMENTS:
            raise LimitError(f"dicts are limited to {MAX_LIST_ELEMENTS} items")
        return result

    def _joinedstr(self, node: ast.JoinedStr) -> str:
        parts: list[str] = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(str(value.value))
            else:
                assert isinstance(value, ast.FormattedValue)
                parts.append(format_value(
                    self.evaluate(value.value), value.conversion, _spec(value.format_spec)))
        return self.out.stable("".join(parts))

    def _lambda(self, node: ast.Lambda) -> UserFunction:
        defaults = tuple(self.evaluate(d) for d in node.args.defaults)
        kw_defaults = {a.arg: self.evaluate(d) for a, d in
                       zip(node.args.kwonlyargs, node.args.kw_defaults, strict=True)
                       if d is not None}
        frame = self.frame
        enclosing = frame.enclosing if frame is not None and frame.is_class else frame
        return UserFunction("<lambda>", self.qualified("<lambda>"), node, defaults, kw_defaults,
                            enclosing, self.analysed(node))

    def qualified(self, name: str) -> str:
        """A function's __qualname__: Net.forward, outer.<locals>.inner."""
        frame = self.frame
        if frame is None:
            return name
        if frame.is_class:
            return f"{frame.extra['class'].name}.{name}"
        if frame.function is not None:
            return f"{frame.function.qualname}.<locals>.{name}"
        return name

    def _yield(self, node: ast.Yield) -> None:
        value = self.evaluate(node.value) if node.value is not None else None
        frame = self.frame
        if frame is None:
            raise NotAllowedError("'yield' outside function")
        collect(frame, value)
        return None

    # --- comprehensions -----------------------------------------------------------------

    def _listcomp(self, node: ast.ListComp) -> list[Any]:
        items: list[Any] = []
        self._comprehension(node.generators, lambda: items.append(self.evaluate(node.elt)),
                            lambda: len(items))
        return items

    def _setcomp(self, node: ast.SetComp) -> set[Any]:
        items: set[Any] = set()
        self._comprehension(node.generators, lambda: items.add(self.evaluate(node.elt)),
                            lambda: len(items))
        return items

    def _dictcomp(self, node: ast.DictComp) -> dict[Any, Any]:
        items: dict[Any, Any] = {}

        def emit() -> None:
            key = self.evaluate(node.key)
            items[key] = self.evaluate(node.value)
        self._comprehension(node.generators, emit, lambda: len(items))
        return items

    def _genexp(self, node: ast.GeneratorExp) -> GeneratorValue:
        """A generator expression, lazy as in Python: each item is made when the consumer
        asks for it (`sum((row ** 2).sum() for row in out)` builds the graph in the same
        order as CPython, so autograd runs it in the same order too). The first iterable is
        evaluated at once, where the expression is, as Python does."""
        generators = node.generators
        first = self.items(self.evaluate(generators[0].iter), generators[0].iter)
        names = self._analysed.get(id(generators))
        if names is None:
            names = self._analysed[id(generators)] = comprehension_names(generators)
        frame = Frame({}, names, self.frame)
        return GeneratorValue(self._lazily(node.elt, generators, 0, first, frame), "<genexpr>")

    def _lazily(self, element: ast.expr, generators: list[ast.comprehension], level: int,
                items: Iterator[Any], frame: Frame) -> Iterator[Any]:
        """The items of a generator expression, each made in its own scope on demand."""
        generator = generators[level]
        for item in items:
            outer, self.frame = self.frame, frame
            try:
                self.store(generator.target, item)
                if not all(self._truth(self.evaluate(test), test) for test in generator.ifs):
                    continue
                if level + 1 < len(generators):
                    nested = generators[level + 1]
                    inner = self.items(self.evaluate(nested.iter), nested.iter)
                else:
                    value = self.evaluate(element)
            finally:
                self.frame = outer
            if level + 1 < len(generators):
                yield from self._lazily(element, generators, level + 1, inner, frame)
            else:
                yield value

    def _comprehension(self, generators: list[ast.comprehension], emit: Callable[[], None],
                       size: Callable[[], int]) -> None:
        """Run a comprehension's loops in a scope of its own (its targets do not leak)."""
        first = self.evaluate(generators[0].iter)  # evaluated where the comprehension is
        names = self._analysed.get(id(generators))
        if names is None:
            names = self._analysed[id(generators)] = comprehension_names(generators)
        outer = self.frame
        self.frame = Frame({}, names, outer)
        try:
            self._generate(generators, 0, first, emit, size)
        finally:
            self.frame = outer

    def _generate(self, generators: list[ast.comprehension], level: int, iterable: Any,
                  emit: Callable[[], None], size: Callable[[], int]) -> None:
        generator = generators[level]
        for item in self.items(iterable, generator.iter):
            self.store(generator.target, item)
            if not all(self._truth(self.evaluate(test), test) for test in generator.ifs):
                continue
            if level + 1 == len(generators):
                emit()
                if size() > MAX_LIST_ELEMENTS:
                    raise LimitError(f"lists are limited to {MAX_LIST_ELEMENTS} items")
            else:
                nested = generators[level + 1]
                self._generate(generators, level + 1, self.evaluate(nested.iter), emit, size)

    # --- iteration and truth ------------------------------------------------------------

    def items(self, value: Any, node: ast.AST) -> Iterator[Any]:
        """Iterate over a value the program may loop over (a tensor by its rows)."""
        if isinstance(value, torch.Tensor):
            return iter(calls.rows(self.tracer, value, self._span(node)))
        return builtins.iterate(value)

    def store(self, target: ast.expr, value: Any) -> None:
        raise NotImplementedError  # statements (interpreter.py)

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


_NAMED = (KeyError, IndexError, StopIteration, AssertionError)


def _torch_message(exc: BaseException) -> str:
    """torch's message without its C++ traceback (Python's own errors keep their name)."""
    text = str(exc).strip() or type(exc).__name__
    for cut in ("\nException raised from", "\nFrame "):
        if cut in text:
            text = text.split(cut, 1)[0]
    if isinstance(exc, (ArithmeticError, *_NAMED)) and not text.startswith(type(exc).__name__):
        return f"{type(exc).__name__}: {text}"
    return text.strip()
