"""The static check: every syntax node, name, attribute, keyword and import must be in the
allowlist before anything runs.

Python normalises identifiers with NFKC while parsing, so the full-width look-alike
`ｅｖａｌ` arrives here as `eval` and is refused like it.
"""

from __future__ import annotations

import ast
import builtins as python_builtins
from collections.abc import Collection

from chainrule.errors import NotAllowedError, UnknownNameError
from chainrule.language import builtins
from chainrule.language.members import member_names
from chainrule.language.parse import children, walk
from chainrule.language.tables import IMPORTS, KEYWORDS
from chainrule.language.values import Namespace

# Syntax the language has. Anything else is refused, named by `_REFUSED` when known.
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

_REFUSED: dict[type[ast.AST], str] = {
    ast.Lambda: "lambda", ast.FunctionDef: "def", ast.AsyncFunctionDef: "async def",
    ast.ClassDef: "class", ast.ListComp: "a list comprehension",
    ast.SetComp: "a set comprehension", ast.DictComp: "a dict comprehension",
    ast.GeneratorExp: "a generator expression", ast.While: "a while loop",
    ast.Try: "try", ast.Raise: "raise", ast.Global: "global", ast.Nonlocal: "nonlocal",
    ast.Delete: "del", ast.Return: "return", ast.Yield: "yield", ast.YieldFrom: "yield",
    ast.Await: "await", ast.NamedExpr: "':='", ast.Starred: "a starred expression",
    ast.Dict: "a dict", ast.Set: "a set", ast.Assert: "assert", ast.Break: "break",
    ast.Continue: "continue", ast.AnnAssign: "an annotated assignment",
    ast.BitAnd: "the & operator", ast.BitOr: "the | operator", ast.BitXor: "the ^ operator",
    ast.LShift: "the << operator", ast.RShift: "the >> operator", ast.Invert: "the ~ operator",
    ast.In: "the in operator", ast.NotIn: "the not in operator", ast.Match: "match",
    ast.AsyncFor: "async for", ast.AsyncWith: "async with",
}
_CONSTANT_TYPES = (bool, int, float, type(None), type(Ellipsis))
_STRING_MESSAGE = ("a string is only allowed as an argument, such as reduction='sum' "
                   "or print('loss')")
_ATTRIBUTES = member_names(tuple(IMPORTS.values()))
_PYTHON_BUILTINS = frozenset(dir(python_builtins))


def check_tree(tree: ast.Module, predefined: Collection[str] = ()) -> None:
    """Raise a ChainruleError at the first thing outside the language, in source order.

    `predefined` names the variables bound before the program runs.
    """
    _Checker(tree, predefined).run()


def _where(node: ast.AST) -> tuple[int | None, int | None]:
    return getattr(node, "lineno", None), getattr(node, "col_offset", None)


def _refuse(message: str, node: ast.AST) -> NotAllowedError:
    return NotAllowedError(message, *_where(node))


class _Checker:
    """One walk over the tree, in source order, after collecting the names it binds."""

    def __init__(self, tree: ast.Module, predefined: Collection[str]) -> None:
        self.tree = tree
        self.bound = set(predefined) | builtins.NAMES
        # Names bound only by an import: their attributes can be checked now.
        self.imported: dict[str, Namespace] = {}
        stored: set[str] = set()
        for node in walk(tree):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                stored.add(node.id)
            elif isinstance(node, ast.Import | ast.ImportFrom):
                for name, value in _import_bindings(node):
                    self.bound.add(name)
                    if isinstance(value, Namespace):
                        self.imported[name] = value
        self.bound |= stored
        for name in stored:
            self.imported.pop(name, None)

    def run(self) -> None:
        # (node, parent, may this node be a string?)
        stack: list[tuple[ast.AST, ast.AST | None, bool]] = [(self.tree, None, False)]
        while stack:
            node, parent, string_ok = stack.pop()
            self._check(node, parent, string_ok)
            stack.extend((child, node, _string_ok(node, child, string_ok))
                         for child in reversed(children(node)))

    def _check(self, node: ast.AST, parent: ast.AST | None, string_ok: bool) -> None:
        kind = type(node)
        if kind not in ALLOWED_NODES:
            what = _REFUSED.get(kind, f"'{kind.__name__}' syntax")
            # Operators have no place of their own: point at the expression using them.
            place = node if hasattr(node, "lineno") or parent is None else parent
            raise _refuse(f"{what} is not allowed", place)
        handler = _HANDLERS.get(kind)
        if handler is not None:
            handler(self, node, parent, string_ok)

    def _name(self, node: ast.AST, parent: ast.AST | None, _: bool) -> None:
        assert isinstance(node, ast.Name)
        name = node.id
        if name.startswith("__"):
            raise _refuse(f"name '{name}' is not allowed", node)
        if isinstance(node.ctx, ast.Load) and name not in self.bound:
            where = _where(node)
            if isinstance(parent, ast.Call) and parent.func is node:
                raise NotAllowedError(f"function '{name}' is not available", *where)
            if name in _PYTHON_BUILTINS:
                raise NotAllowedError(f"name '{name}' is not available", *where)
            raise UnknownNameError(f"unknown name '{name}'", *where)

    def _attribute(self, node: ast.AST, _parent: ast.AST | None, _: bool) -> None:
        assert isinstance(node, ast.Attribute)
        if node.attr.startswith("_"):
            raise _refuse(f"attribute '{node.attr}' is not allowed", node)
        owner = self._namespace(node.value)  # refuses torch.hub in torch.hub.load first
        if owner is None and node.attr not in _ATTRIBUTES:
            raise _refuse(f"attribute '{node.attr}' is not allowed", node)
        if owner is not None and node.attr not in owner.members:
            raise _refuse(f"'{owner.name}.{node.attr}' is not available", node)

    def _namespace(self, node: ast.expr) -> Namespace | None:
        """The namespace `node` names when that is known before running (torch.nn);
        refuses a member a known namespace does not have (torch.load)."""
        if isinstance(node, ast.Name):
            return self.imported.get(node.id)
        if not isinstance(node, ast.Attribute):
            return None
        owner = self._namespace(node.value)
        if owner is None:
            return None
        if node.attr not in owner.members:
            raise _refuse(f"'{owner.name}.{node.attr}' is not available", node)
        member = owner.members[node.attr]
        return member if isinstance(member, Namespace) else None

    def _keyword(self, node: ast.AST, _parent: ast.AST | None, _: bool) -> None:
        assert isinstance(node, ast.keyword)
        if node.arg is None:
            raise _refuse("** arguments are not allowed", node)
        if node.arg not in KEYWORDS:
            raise _refuse(f"keyword argument '{node.arg}' is not allowed", node)

    def _import(self, node: ast.AST, _parent: ast.AST | None, _: bool) -> None:
        assert isinstance(node, ast.Import | ast.ImportFrom)
        if isinstance(node, ast.ImportFrom) and node.level:
            raise _refuse("relative imports are not allowed", node)
        for alias in node.names:
            full = f"{node.module}.{alias.name}" if isinstance(node, ast.ImportFrom) \
                else alias.name
            if _imported(node, alias) is None:
                raise _refuse(f"import of '{full}' is not allowed", node)

    def _constant(self, node: ast.AST, _parent: ast.AST | None, string_ok: bool) -> None:
        assert isinstance(node, ast.Constant)
        if isinstance(node.value, str):
            if not string_ok:
                raise _refuse(_STRING_MESSAGE, node)
        elif not isinstance(node.value, _CONSTANT_TYPES):
            raise _refuse(f"{type(node.value).__name__} literals are not allowed", node)

    def _joined(self, node: ast.AST, _parent: ast.AST | None, string_ok: bool) -> None:
        if not string_ok:
            raise _refuse(_STRING_MESSAGE, node)

    def _formatted(self, node: ast.AST, _parent: ast.AST | None, _: bool) -> None:
        assert isinstance(node, ast.FormattedValue)
        spec = node.format_spec
        if spec is not None and not (isinstance(spec, ast.JoinedStr) and all(
                isinstance(v, ast.Constant) for v in spec.values)):
            raise _refuse("nested format specifications are not allowed", node)

    def _for(self, node: ast.AST, _parent: ast.AST | None, _: bool) -> None:
        assert isinstance(node, ast.For)
        if node.orelse:
            raise _refuse("for ... else is not allowed", node)

    def _with(self, node: ast.AST, _parent: ast.AST | None, _: bool) -> None:
        assert isinstance(node, ast.With)
        if any(item.optional_vars is not None for item in node.items):
            raise _refuse("with ... as is not allowed", node)


_HANDLERS = {
    ast.Name: _Checker._name, ast.Attribute: _Checker._attribute,
    ast.keyword: _Checker._keyword, ast.Import: _Checker._import,
    ast.ImportFrom: _Checker._import, ast.Constant: _Checker._constant,
    ast.JoinedStr: _Checker._joined, ast.FormattedValue: _Checker._formatted,
    ast.For: _Checker._for, ast.With: _Checker._with,
}


def _string_ok(parent: ast.AST, child: ast.AST, parent_ok: bool) -> bool:
    """May `child` be a string? Only as an argument (or part of one: 'a' + 'b', x if c
    else 'y'), an f-string part or field, or a docstring."""
    if isinstance(parent, ast.keyword | ast.JoinedStr | ast.Expr):
        return True
    if isinstance(parent, ast.Call):
        return child is not parent.func
    if isinstance(parent, ast.FormattedValue):  # f"{'ok' if acc > 0.5 else 'bad'}"
        return True
    if isinstance(parent, ast.IfExp):
        return parent_ok and child is not parent.test
    if isinstance(parent, ast.BinOp):  # print('loss: ' + str(v)), print('-' * 20)
        return parent_ok
    return False


def _imported(node: ast.Import | ast.ImportFrom, alias: ast.alias) -> object | None:
    """What `alias` binds: a namespace, or for `from torch import tensor` a member."""
    if isinstance(node, ast.Import):
        return IMPORTS.get(alias.name)
    module = IMPORTS.get(node.module or "")
    if module is None:
        return None
    return IMPORTS.get(f"{node.module}.{alias.name}") or module.members.get(alias.name)


def _import_bindings(node: ast.Import | ast.ImportFrom) -> list[tuple[str, object]]:
    """(name bound, value) for each alias that imports something allowed."""
    bindings = []
    for alias in node.names:
        value = _imported(node, alias)
        if value is None:
            continue
        if alias.asname is not None:
            bindings.append((alias.asname, value))
        elif isinstance(node, ast.Import):  # `import torch.nn` binds `torch`, as Python does
            root = alias.name.split(".")[0]
            bindings.append((root, IMPORTS.get(root)))
        else:
            bindings.append((alias.name, value))
    return bindings
