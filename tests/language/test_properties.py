"""Property tests: whatever text arrives, the interpreter gives a result or a ChainruleError.

Three sources of programs: arbitrary text, text built from Python-ish tokens, and
arbitrary syntax trees (hypothesis builds `ast` nodes, `ast.unparse` turns them into
the text the interpreter takes). Programs run with the real trace session, whose size
checks keep a generated `torch.ones(10**6, 10**6)` from allocating.
"""

from __future__ import annotations

import ast
from typing import Any

from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from chainrule.errors import ChainruleError
from chainrule.language.interpreter import Interpreter
from chainrule.language.members import TENSOR_ATTRIBUTES, TENSOR_METHODS
from chainrule.language.parse import parse_source
from chainrule.language.tables import TORCH
from chainrule.language.values import Function
from chainrule.trace.tracer import TraceSession

PRELUDE = """\
import torch
import torch.nn as nn
import torch.nn.functional as F
x = torch.tensor([1.0, -2.0], requires_grad=True)
w = torch.ones(2, 2, requires_grad=True)
model = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
y = model(x * w)
"""
BOUNDED = settings(max_examples=200, deadline=None,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _run(source: str) -> None:
    """Run `source`; only a clean result or a ChainruleError may come out."""
    try:
        Interpreter(TraceSession()).run(parse_source(source))
    except ChainruleError as exc:
        assert isinstance(exc.message, str) and exc.message
        assert exc.code != "internal_error", exc.message  # a bug, not the program's fault
        lines = source.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1  # as Python
        assert exc.line is None or 1 <= exc.line <= lines, (exc.line, lines)


# --- text -----------------------------------------------------------------------------------

_TOKENS = [
    "torch", "nn", "F", "x", "w", "model", "y", "print", "range", "len", "float", "open",
    "eval", "__import__", "__class__", "_x", "ｅｖａｌ", ".", "(", ")", "[", "]", "{", "}", ",",
    ":", "=", "+", "-", "*", "/", "//", "%", "**", "@", "<", ">", "==", " is ", " not ",
    " and ", " in ", "'s'", '"%s"', "f'{x}'", "f'{x:.2f}'", "b'x'", "1j", "0", "1", "2.5",
    "10**6", "1e308", "None", "True", "lambda", "def ", "import ", "from ", " as ", "\n",
    "    ", " ", "for i in range(3):\n    ", "with torch.no_grad():\n    ", "if x:\n    ",
    "tensor", "ones", "zeros", "sum", "mean", "backward", "grad", "grad_fn", "item", "relu",
    "Linear", "parameters", "optim", "SGD", "autograd", "requires_grad=True", "dim=0",
    "retain_graph=True", "gradient=", "reduction='sum'", "T", "#", "\\", "...", "*x", "**k",
]


@BOUNDED
@given(st.text(max_size=300))
def test_arbitrary_text_gives_a_result_or_a_clean_error(text: str) -> None:
    _run(text)


@BOUNDED
@given(st.lists(st.sampled_from(_TOKENS), max_size=60).map("".join))
def test_python_like_text_gives_a_result_or_a_clean_error(text: str) -> None:
    _run(PRELUDE + text)


# --- syntax trees ---------------------------------------------------------------------------

_NAMES = ["x", "w", "y", "model", "torch", "nn", "F", "print", "range", "len", "float", "sum",
          "max", "str", "list", "open", "eval", "q", "__import__", "i"]
_ATTRIBUTES = ["grad", "backward", "sum", "T", "shape", "tensor", "ones", "zeros", "relu",
               "Linear", "nn", "functional", "autograd", "grad_fn", "__class__", "_version",
               "item", "zero_", "detach", "weight", "bias", "parameters", "load", "step",
               "values", "next_functions", "name", "register_hook", "mean", "view",
               "requires_grad", "no_grad", "optim", "SGD", "data", "is_leaf", "retain_grad",
               "max", "pow", "exp", "reshape", "t", "softmax", "mse_loss", "tolist", "float"]
_KEYWORDS = ["requires_grad", "dim", "gradient", "retain_graph", "create_graph", "lr",
             "reduction", "dtype", "device", "keepdim", "sep", "end"]
_BINARY = [ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow, ast.MatMult,
           ast.BitAnd, ast.LShift]
_UNARY = [ast.USub, ast.UAdd, ast.Not, ast.Invert]
_COMPARE = [ast.Eq, ast.NotEq, ast.Lt, ast.Gt, ast.Is, ast.In]
_MODULES = ["torch", "torch.nn", "torch.nn.functional", "torch.optim", "os", "torch.utils"]

_constants = st.one_of(
    st.integers(-3, 3), st.sampled_from([10**6, 10**20, 2**63, -(10**9)]),
    st.floats(width=32), st.booleans(), st.none(), st.text(max_size=4),
    st.sampled_from([b"x", 1j, ...]),
)


def _load(name: str) -> ast.expr:
    return ast.Name(name, ast.Load())


def _extend(children: st.SearchStrategy[ast.expr]) -> st.SearchStrategy[ast.expr]:
    small = st.lists(children, max_size=3)
    keywords = st.lists(st.builds(ast.keyword, st.sampled_from(_KEYWORDS), children),
                        max_size=2)
    ops = st.sampled_from(_BINARY).map(lambda op: op())
    return st.one_of(
        st.builds(lambda v, a: ast.Attribute(v, a, ast.Load()), children,
                  st.sampled_from(_ATTRIBUTES)),
        st.builds(ast.Call, children, small, keywords),
        st.builds(ast.BinOp, children, ops, children),
        st.builds(ast.UnaryOp, st.sampled_from(_UNARY).map(lambda op: op()), children),
        st.builds(lambda a, op, b: ast.Compare(a, [op()], [b]), children,
                  st.sampled_from(_COMPARE), children),
        st.builds(lambda v, i: ast.Subscript(v, i, ast.Load()), children,
                  st.one_of(children, st.builds(ast.Slice, children, children))),
        st.builds(lambda e: ast.List(e, ast.Load()), small),
        st.builds(lambda e: ast.Tuple(e, ast.Load()), small),
        st.builds(ast.IfExp, children, children, children),
        st.builds(lambda v: ast.BoolOp(ast.And(), v), st.lists(children, min_size=2,
                                                               max_size=3)),
        st.builds(lambda v: ast.JoinedStr([ast.Constant("v="), ast.FormattedValue(v, -1)]),
                  children),
        st.builds(lambda v: ast.JoinedStr([ast.FormattedValue(
            v, ord("r"), ast.JoinedStr([ast.Constant(".2f")]))]), children),
        st.builds(lambda b: ast.Lambda(ast.arguments([], [], None, [], [], None, []), b),
                  children),
        st.builds(lambda e: ast.ListComp(e, [ast.comprehension(
            ast.Name("i", ast.Store()), ast.Call(_load("range"), [ast.Constant(3)], []), [],
            0)]), children),
        st.builds(lambda e: ast.Starred(e, ast.Load()), children),
    )


_expressions = st.recursive(
    st.one_of(_constants.map(ast.Constant), st.sampled_from(_NAMES).map(_load)),
    _extend, max_leaves=10,
)
_targets = st.sampled_from(["y", "z", "x", "w", "i", "print"])


def _store(name: str) -> ast.Name:
    return ast.Name(name, ast.Store())


_simple = st.one_of(
    st.builds(lambda t, v: ast.Assign([_store(t)], v), _targets, _expressions),
    st.builds(lambda a, b, v: ast.Assign([ast.Tuple([_store(a), _store(b)], ast.Store())], v),
              _targets, _targets, _expressions),
    st.builds(lambda o, a, v: ast.Assign([ast.Attribute(o, a, ast.Store())], v),
              _expressions, st.sampled_from(_ATTRIBUTES), _expressions),
    st.builds(lambda o, i, v: ast.Assign([ast.Subscript(o, i, ast.Store())], v),
              _expressions, _expressions, _expressions),
    st.builds(lambda t, op, v: ast.AugAssign(_store(t), op(), v), _targets,
              st.sampled_from(_BINARY), _expressions),
    st.builds(ast.Expr, _expressions),
    st.builds(lambda m, a: ast.Import([ast.alias(m, a)]), st.sampled_from(_MODULES),
              st.sampled_from([None, "t", "nn"])),
    st.builds(lambda n: ast.ImportFrom("torch", [ast.alias(n, None)], 0),
              st.sampled_from(["nn", "tensor", "load", "optim"])),
    st.just(ast.Pass()),
)


def _compound(body: st.SearchStrategy[list[ast.stmt]], tests: st.SearchStrategy[ast.expr],
              hostile: bool = True) -> st.SearchStrategy[ast.stmt]:
    loop_counts = st.sampled_from([0, 1, 3, 10**6] if hostile else [0, 1, 3]).map(ast.Constant)
    no_grad = ast.Call(ast.Attribute(_load("torch"), "no_grad", ast.Load()), [], [])
    managers = st.one_of(tests, st.just(no_grad)) if hostile else st.just(no_grad)
    compound = st.one_of(
        st.builds(lambda n, b: ast.For(_store("i"), ast.Call(_load("range"), [n], []), b, []),
                  loop_counts, body),
        st.builds(lambda c, b: ast.With([ast.withitem(c, None)], b), managers, body),
        st.builds(lambda t, b, e: ast.If(t, b, e), tests, body, st.one_of(st.just([]), body)),
    )
    if not hostile:
        return compound
    return st.one_of(compound, st.builds(lambda b: ast.While(ast.Constant(True), b, []), body))


_bodies = st.lists(_simple, min_size=1, max_size=3)
_statements = st.one_of(_simple, _compound(_bodies, _expressions))

# Mostly inside the language: calls and methods from the tables, so programs get to run
# torch and meet its errors, the limits and autograd rather than the static check.
_TORCH_FUNCTIONS = sorted(k for k, v in TORCH.members.items() if isinstance(v, Function))
_METHODS = sorted(TENSOR_METHODS)
_TENSOR_ATTRIBUTES = sorted(TENSOR_ATTRIBUTES)


def _torch_call(name: str, args: list[ast.expr], keywords: list[ast.keyword]) -> ast.expr:
    return ast.Call(ast.Attribute(_load("torch"), name, ast.Load()), args, keywords)


def _method_call(owner: ast.expr, name: str, args: list[ast.expr]) -> ast.expr:
    return ast.Call(ast.Attribute(owner, name, ast.Load()), args, [])


def _extend_valid(children: st.SearchStrategy[ast.expr]) -> st.SearchStrategy[ast.expr]:
    args = st.lists(children, max_size=2)
    keywords = st.lists(st.builds(ast.keyword, st.sampled_from(
        ["dim", "requires_grad", "keepdim", "retain_graph"]), children), max_size=1)
    return st.one_of(
        st.builds(_torch_call, st.sampled_from(_TORCH_FUNCTIONS), args, keywords),
        st.builds(_method_call, children, st.sampled_from(_METHODS), args),
        st.builds(lambda v, a: ast.Attribute(v, a, ast.Load()), children,
                  st.sampled_from(_TENSOR_ATTRIBUTES)),
        st.builds(ast.BinOp, children, st.sampled_from(_BINARY[:8]).map(lambda op: op()),
                  children),
        st.builds(lambda v, i: ast.Subscript(v, i, ast.Load()), children,
                  st.one_of(st.integers(-2, 2).map(ast.Constant),
                            st.builds(ast.Slice, st.none(), st.just(ast.Constant(1))))),
        st.builds(lambda v: ast.Call(_load("model"), [v], []), children),
        st.builds(lambda e: ast.List(e, ast.Load()), st.lists(
            st.floats(-3, 3, width=32).map(ast.Constant), max_size=3)),
        st.builds(lambda a, b: ast.Compare(a, [ast.Gt()], [b]), children, children),
    )


_valid_expressions = st.recursive(
    st.one_of(st.integers(-2, 3).map(ast.Constant), st.floats(-3, 3).map(ast.Constant),
              st.sampled_from(["x", "w", "y", "model"]).map(_load)),
    _extend_valid, max_leaves=8,
)
_valid_simple = st.one_of(
    st.builds(lambda t, v: ast.Assign([_store(t)], v), st.sampled_from(["y", "z"]),
              _valid_expressions),
    st.builds(lambda t, op, v: ast.AugAssign(_store(t), op(), v), st.sampled_from(["y", "x"]),
              st.sampled_from(_BINARY[:4]), _valid_expressions),
    st.builds(lambda v: ast.Expr(_method_call(v, "backward", [])), _valid_expressions),
    st.builds(lambda v: ast.Expr(ast.Call(_load("print"), [v], [])), _valid_expressions),
    st.builds(lambda v: ast.Assign([ast.Attribute(_load("x"), "grad", ast.Store())], v),
              st.one_of(st.just(ast.Constant(None)), _valid_expressions)),
)
_valid_statements = st.one_of(_valid_simple, _compound(
    st.lists(_valid_simple, min_size=1, max_size=3), _valid_expressions, hostile=False))


def _unparse(body: list[ast.stmt]) -> str:
    module = ast.fix_missing_locations(ast.Module(body, []))
    try:
        return ast.unparse(module)
    except ValueError:  # a tree no text stands for (a backslash inside an f-string field)
        reject()
        raise


@BOUNDED
@given(st.lists(_statements, min_size=1, max_size=6))
def test_arbitrary_syntax_trees_give_a_result_or_a_clean_error(body: Any) -> None:
    _run(PRELUDE + _unparse(body))


@BOUNDED
@given(st.lists(_valid_statements, min_size=1, max_size=6))
def test_programs_from_the_tables_give_a_result_or_a_clean_error(body: Any) -> None:
    _run(PRELUDE + _unparse(body))
