"""The static check: every syntax node must be in the allowlist before anything runs."""

from __future__ import annotations

import ast

from chainrule.errors import NotAllowedError
from chainrule.language.tables import IMPORTS

# Syntax the language has. Anything else is refused, named by `_REFUSED_NAMES` when known.
ALLOWED_NODES: frozenset[type[ast.AST]] = frozenset(
    {
        ast.Module, ast.Expr, ast.Assign, ast.AugAssign, ast.For, ast.With, ast.If,
        ast.Pass, ast.Import, ast.ImportFrom, ast.alias, ast.withitem,
        ast.Constant, ast.Name, ast.Attribute, ast.Call, ast.keyword, ast.BinOp,
        ast.UnaryOp, ast.BoolOp, ast.Compare, ast.IfExp, ast.Subscript, ast.Slice,
        ast.Tuple, ast.List, ast.JoinedStr, ast.FormattedValue,
        ast.Load, ast.Store,
        ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow, ast.MatMult,
        ast.USub, ast.UAdd, ast.Not, ast.And, ast.Or,
        ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Is, ast.IsNot,
    }
)

_REFUSED_NAMES: dict[type[ast.AST], str] = {
    ast.Lambda: "lambda", ast.FunctionDef: "function definitions (def)",
    ast.AsyncFunctionDef: "async functions", ast.ClassDef: "class definitions",
    ast.ListComp: "list comprehensions", ast.SetComp: "set comprehensions",
    ast.DictComp: "dict comprehensions", ast.GeneratorExp: "generator expressions",
    ast.While: "while loops", ast.Try: "try statements", ast.Raise: "raise",
    ast.Global: "global", ast.Nonlocal: "nonlocal", ast.Delete: "del",
    ast.Return: "return", ast.Yield: "yield", ast.YieldFrom: "yield", ast.Await: "await",
    ast.NamedExpr: "assignment expressions (:=)", ast.Starred: "star arguments",
    ast.Dict: "dicts", ast.Set: "sets", ast.Assert: "assert", ast.Break: "break",
    ast.Continue: "continue", ast.AnnAssign: "annotated assignments",
    ast.BitAnd: "the & operator", ast.BitOr: "the | operator", ast.BitXor: "the ^ operator",
    ast.LShift: "the << operator", ast.RShift: "the >> operator", ast.Invert: "the ~ operator",
    ast.In: "the in operator", ast.NotIn: "the not in operator",
    ast.Match: "match statements", ast.AsyncFor: "async for", ast.AsyncWith: "async with",
}


def check_tree(tree: ast.Module) -> None:
    """Raise NotAllowedError at the first node outside the language, in source order."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        _check_node(node)
        stack.extend(reversed(list(ast.iter_child_nodes(node))))


def _where(node: ast.AST) -> tuple[int | None, int | None]:
    return getattr(node, "lineno", None), getattr(node, "col_offset", None)


def _check_node(node: ast.AST) -> None:
    kind = type(node)
    if kind not in ALLOWED_NODES:
        what = _REFUSED_NAMES.get(kind, f"'{kind.__name__}' syntax")
        raise NotAllowedError(f"{what} not allowed", *_where(node))
    if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
        raise NotAllowedError(f"attribute '{node.attr}' is not allowed", *_where(node))
    if isinstance(node, ast.Name) and node.id.startswith("__"):
        raise NotAllowedError(f"name '{node.id}' is not allowed", *_where(node))
    if isinstance(node, ast.keyword) and node.arg is None:
        raise NotAllowedError("** arguments are not allowed", *_where(node))
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.name not in IMPORTS:
                raise NotAllowedError(f"import of '{alias.name}' is not allowed", *_where(node))
    if isinstance(node, ast.ImportFrom):
        module = node.module or ""
        for alias in node.names:
            full = f"{module}.{alias.name}"
            if node.level or full not in IMPORTS:
                raise NotAllowedError(f"import of '{full}' is not allowed", *_where(node))
    if isinstance(node, ast.FormattedValue) and node.format_spec is not None:
        spec = node.format_spec
        if not (isinstance(spec, ast.JoinedStr) and all(
            isinstance(v, ast.Constant) for v in spec.values
        )):
            raise NotAllowedError("nested format specifications are not allowed", *_where(node))
