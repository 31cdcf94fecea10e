"""The static check: every syntax node, name, attribute, keyword and import must be in the
allowlist before anything runs.

Python normalises identifiers with NFKC while parsing, so the full-width look-alike
`ｅｖａｌ` arrives here as `eval` and is refused like it.

Attributes: a name from the tables (x.grad, model.parameters), or one the program itself
defines (self.fc1 = ..., a method of its class, a buffer it registers). Nothing starting
with an underscore, but for `super().__init__` and the double-underscore methods a class
may define (`__init__`, `__call__`, ...). At run time every attribute is read from a table
or a registry again (calls.py, classes.py): this check is the first wall, not the only one.
"""

from __future__ import annotations

import ast
import builtins as python_builtins
import re
from collections.abc import Callable, Collection, Mapping
from typing import NamedTuple

from chainrule.errors import NotAllowedError, UnknownNameError
from chainrule.language import builtins
from chainrule.language.classes import DUNDERS
from chainrule.language.members import REFUSED_METHODS, member_names
from chainrule.language.parse import children, walk
from chainrule.language.stdlib import PYPLOT, REFUSED_IMPORTS
from chainrule.language.tables import IMPORTS, KEYWORDS
from chainrule.language.values import Namespace

# Syntax the language has. Anything else is refused, named by `_REFUSED` when known.
ALLOWED_NODES: frozenset[type[ast.AST]] = frozenset(
    {
        ast.Module, ast.Expr, ast.Assign, ast.AugAssign, ast.For, ast.While, ast.With,
        ast.If, ast.Pass, ast.Break, ast.Continue, ast.Return, ast.FunctionDef, ast.Lambda,
        ast.arguments, ast.arg, ast.ClassDef, ast.Global, ast.Nonlocal, ast.Assert,
        ast.Import, ast.ImportFrom, ast.alias, ast.withitem,
        ast.Constant, ast.Name, ast.Attribute, ast.Call, ast.keyword, ast.BinOp,
        ast.UnaryOp, ast.BoolOp, ast.Compare, ast.IfExp, ast.Subscript, ast.Slice,
        ast.Tuple, ast.List, ast.Dict, ast.Set, ast.Starred, ast.JoinedStr,
        ast.FormattedValue, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp,
        ast.comprehension, ast.Yield,
        ast.Load, ast.Store,
        ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow, ast.MatMult,
        ast.USub, ast.UAdd, ast.Not, ast.And, ast.Or,
        ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Is, ast.IsNot, ast.In,
        ast.NotIn,
    }
)

_REFUSED: dict[type[ast.AST], str] = {
    ast.AsyncFunctionDef: "async def", ast.Try: "try", ast.Raise: "raise",
    ast.Delete: "del", ast.YieldFrom: "yield from", ast.Await: "await",
    ast.NamedExpr: "':='", ast.AnnAssign: "an annotated assignment",
    ast.BitAnd: "the & operator", ast.BitOr: "the | operator", ast.BitXor: "the ^ operator",
    ast.LShift: "the << operator", ast.RShift: "the >> operator", ast.Invert: "the ~ operator",
    ast.Match: "match", ast.AsyncFor: "async for", ast.AsyncWith: "async with",
}
_CONSTANT_TYPES = (bool, int, float, str, type(None), type(Ellipsis))
_ATTRIBUTES = member_names(tuple(IMPORTS.values()))
_PYTHON_BUILTINS = frozenset(dir(python_builtins))
_DECORATORS = frozenset({"staticmethod", "no_grad", "enable_grad"})
# Parameters and buffers torch's modules register (read from the registries at run time):
# weight, bias, running_mean, the recurrent layers' weight_ih_l0, bias_hh_l1_reverse, ...
_REGISTRY_NAME = re.compile(r"(weight|bias)(_(ih|hh|hr)(_l\d+(_reverse)?)?)?|running_mean|"
                            r"running_var|num_batches_tracked|in_proj_(weight|bias)")
# Methods of a module whose first argument names an attribute the program will read.
_REGISTERING = frozenset({"register_buffer", "register_parameter", "add_module"})


def check_tree(tree: ast.Module, predefined: Mapping[str, object] | Collection[str] = ()
               ) -> None:
    """Raise a ChainruleError at the first thing outside the language, in source order.

    `predefined` names the variables bound before the program runs (with their values:
    a namespace among them, torch for an expression, has its members checked).
    """
    _Checker(tree, predefined).run()


def _where(node: ast.AST) -> tuple[int | None, int | None]:
    return getattr(node, "lineno", None), getattr(node, "col_offset", None)


def _refuse(message: str, node: ast.AST) -> NotAllowedError:
    return NotAllowedError(message, *_where(node))


class _Context(NamedTuple):
    """Where a node stands: inside a function, a loop (of that function), a class body."""

    function: bool = False
    loop: bool = False
    class_body: bool = False
    in_lambda: bool = False


class _Checker:
    """One walk over the tree, in source order, after collecting the names it binds."""

    def __init__(self, tree: ast.Module,
                 predefined: Mapping[str, object] | Collection[str]) -> None:
        self.tree = tree
        self.bound = set(predefined) | builtins.NAMES
        # Names bound only by an import: their attributes can be checked now.
        self.imported: dict[str, Namespace] = {}
        if isinstance(predefined, Mapping):
            self.imported = {k: v for k, v in predefined.items() if isinstance(v, Namespace)}
        stored: set[str] = set()
        self.attributes: set[str] = set()  # those the program defines (and _ATTRIBUTES)
        self.parameters: set[str] = set()  # of the program's functions: keyword names
        for node in walk(tree):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                stored.add(node.id)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                self.attributes.add(node.attr)
            elif isinstance(node, ast.FunctionDef | ast.ClassDef):
                stored.add(node.name)
                if isinstance(node, ast.ClassDef):
                    self._class_names(node)
            elif isinstance(node, ast.arg):
                stored.add(node.arg)
                self.parameters.add(node.arg)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr in _REGISTERING and node.args \
                    and isinstance(node.args[0], ast.Constant) \
                    and isinstance(node.args[0].value, str):
                self.attributes.add(node.args[0].value)
            elif isinstance(node, ast.Import | ast.ImportFrom):
                for name, value in _import_bindings(node):
                    self.bound.add(name)
                    if isinstance(value, Namespace):
                        self.imported[name] = value
        self.bound |= stored
        for name in stored:
            self.imported.pop(name, None)

    def _class_names(self, node: ast.ClassDef) -> None:
        """A class's methods and class attributes are attributes the program may read."""
        for statement in node.body:
            if isinstance(statement, ast.FunctionDef):
                self.attributes.add(statement.name)
            elif isinstance(statement, ast.Assign):
                for target in statement.targets:
                    if isinstance(target, ast.Name):
                        self.attributes.add(target.id)

    def run(self) -> None:
        stack: list[tuple[ast.AST, ast.AST | None, _Context]] = [(self.tree, None, _Context())]
        while stack:
            node, parent, context = stack.pop()
            self._check(node, parent, context)
            if type(node) in _SCOPES or context.class_body:
                inner = _inner(node, context)
                stack.extend((child, node, inner(child)) for child in reversed(children(node)))
            else:
                stack.extend((child, node, context) for child in reversed(children(node)))

    def _check(self, node: ast.AST, parent: ast.AST | None, context: _Context) -> None:
        kind = type(node)
        if kind not in ALLOWED_NODES:
            what = _REFUSED.get(kind, f"'{kind.__name__}' syntax")
            # Operators have no place of their own: point at the expression using them.
            place = node if hasattr(node, "lineno") or parent is None else parent
            raise _refuse(f"{what} is not allowed", place)
        handler = _HANDLERS.get(kind)
        if handler is not None:
            handler(self, node, parent, context)

    def _name(self, node: ast.AST, parent: ast.AST | None, _: _Context) -> None:
        assert isinstance(node, ast.Name)
        name = node.id
        if name.startswith("__"):
            raise _refuse(f"name '{name}' is not allowed", node)
        if name == "staticmethod" and isinstance(parent, ast.FunctionDef):
            return  # a decorator: read from the syntax, never evaluated
        if isinstance(node.ctx, ast.Load) and name not in self.bound:
            where = _where(node)
            if isinstance(parent, ast.Call) and parent.func is node:
                raise NotAllowedError(f"function '{name}' is not available", *where)
            if name in _PYTHON_BUILTINS:
                raise NotAllowedError(f"name '{name}' is not available", *where)
            raise UnknownNameError(f"unknown name '{name}'", *where, names=self._unknown())

    def _unknown(self) -> list[str]:
        """Every name the program reads and never binds (nor calls, nor finds among
        Python's builtins), once each, in source order: the page offers each a variable."""
        called = {id(node.func) for node in walk(self.tree) if isinstance(node, ast.Call)}
        found = sorted(
            (node.lineno, node.col_offset, node.id) for node in walk(self.tree)
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
            and node.id not in self.bound and id(node) not in called
            and node.id not in _PYTHON_BUILTINS and not node.id.startswith("__"))
        return list(dict.fromkeys(name for _, _, name in found))

    def _attribute(self, node: ast.AST, _parent: ast.AST | None, _: _Context) -> None:
        assert isinstance(node, ast.Attribute)
        owner = self._namespace(node.value)  # refuses torch.hub in torch.hub.load first
        if owner is not None:
            if node.attr not in owner.members:
                raise _refuse(_unavailable(owner, node.attr), node)
            return
        if node.attr == "__init__" and _is_super_call(node.value):
            return
        if node.attr in REFUSED_METHODS and node.attr not in self.attributes:
            raise _refuse(f"'.{node.attr}()' is not available: {REFUSED_METHODS[node.attr]}",
                          node)
        if node.attr.startswith("_") or (
                node.attr not in _ATTRIBUTES and node.attr not in self.attributes
                and not _REGISTRY_NAME.fullmatch(node.attr)):
            raise _refuse(f"attribute '{node.attr}' is not allowed", node)

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
            raise _refuse(_unavailable(owner, node.attr), node)
        member = owner.members[node.attr]
        return member if isinstance(member, Namespace) else None

    def _keyword(self, node: ast.AST, parent: ast.AST | None, _: _Context) -> None:
        assert isinstance(node, ast.keyword)
        if node.arg is not None and node.arg not in KEYWORDS \
                and node.arg not in self.parameters and not _takes_any_keyword(parent) \
                and not self._plotting(parent):
            raise _refuse(f"keyword argument '{node.arg}' is not allowed", node)

    def _plotting(self, call: ast.AST | None) -> bool:
        """A call of a plotting stand-in, whose keywords (figsize=, bins=) do nothing."""
        if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Attribute):
            return False
        try:
            owner = self._namespace(call.func.value)
        except NotAllowedError:
            return False
        return owner is not None and owner.name == PYPLOT.name

    def _import(self, node: ast.AST, _parent: ast.AST | None, _: _Context) -> None:
        assert isinstance(node, ast.Import | ast.ImportFrom)
        if isinstance(node, ast.ImportFrom) and node.level:
            raise _refuse("relative imports are not allowed", node)
        for alias in node.names:
            full = f"{node.module}.{alias.name}" if isinstance(node, ast.ImportFrom) \
                else alias.name
            if alias.name == "*" and isinstance(node, ast.ImportFrom):
                raise _refuse("'import *' is not allowed: import the names you use", node)
            if _imported(node, alias) is None:
                root = full.split(".")[0]
                hint = REFUSED_IMPORTS.get(root)
                raise _refuse(f"import of '{full}' is not allowed"
                              + (f": {hint}" if hint else ""), node)

    def _constant(self, node: ast.AST, _parent: ast.AST | None, _: _Context) -> None:
        assert isinstance(node, ast.Constant)
        if not isinstance(node.value, _CONSTANT_TYPES):
            raise _refuse(f"{type(node.value).__name__} literals are not allowed", node)

    def _formatted(self, node: ast.AST, _parent: ast.AST | None, _: _Context) -> None:
        assert isinstance(node, ast.FormattedValue)
        spec = node.format_spec
        if spec is not None and not (isinstance(spec, ast.JoinedStr) and all(
                isinstance(v, ast.Constant) for v in spec.values)):
            raise _refuse("nested format specifications are not allowed", node)

    def _loop(self, node: ast.AST, _parent: ast.AST | None, _: _Context) -> None:
        assert isinstance(node, ast.For | ast.While)
        if node.orelse:
            kind = "for" if isinstance(node, ast.For) else "while"
            raise _refuse(f"{kind} ... else is not allowed", node)

    def _with(self, node: ast.AST, _parent: ast.AST | None, _: _Context) -> None:
        assert isinstance(node, ast.With)
        if any(item.optional_vars is not None for item in node.items):
            raise _refuse("with ... as is not allowed", node)

    def _function(self, node: ast.AST, _parent: ast.AST | None, context: _Context) -> None:
        assert isinstance(node, ast.FunctionDef)
        if node.name.startswith("__") and not (context.class_body and node.name in DUNDERS):
            raise _refuse(f"a method named '{node.name}' is not allowed"
                          if context.class_body else f"name '{node.name}' is not allowed",
                          node)
        if node.returns is not None or any(a.annotation is not None for a in _all_args(node)):
            raise _refuse("type annotations are not allowed", node)
        for decorator in node.decorator_list:
            if _decorator_name(decorator) not in _DECORATORS:
                raise _refuse(f"the decorator @{ast.unparse(decorator)} is not allowed "
                              "(only @staticmethod and @torch.no_grad())", decorator)
        if node.type_params if hasattr(node, "type_params") else False:
            raise _refuse("type parameters are not allowed", node)

    def _arg(self, node: ast.AST, _parent: ast.AST | None, _: _Context) -> None:
        assert isinstance(node, ast.arg)
        if node.arg.startswith("__"):
            raise _refuse(f"name '{node.arg}' is not allowed", node)

    def _class(self, node: ast.AST, _parent: ast.AST | None, context: _Context) -> None:
        assert isinstance(node, ast.ClassDef)
        if node.name.startswith("_"):
            raise _refuse(f"name '{node.name}' is not allowed", node)
        if node.keywords:
            raise _refuse("class keywords (metaclass=...) are not allowed", node)
        if node.decorator_list:
            raise _refuse("class decorators are not allowed", node.decorator_list[0])
        if len(node.bases) > 1:
            raise _refuse("a class may have one base class", node.bases[1])
        if context.function:
            raise _refuse("a class is defined at the top of the program, not inside a "
                          "function", node)
        for statement in node.body:
            if not isinstance(statement, ast.FunctionDef | ast.Assign | ast.Pass | ast.Expr):
                raise _refuse("a class body holds methods and class attributes only",
                              statement)

    def _flow(self, node: ast.AST, _parent: ast.AST | None, context: _Context) -> None:
        if isinstance(node, ast.Return) and not context.function:
            raise _refuse("'return' outside function", node)
        if isinstance(node, ast.Break | ast.Continue) and not context.loop:
            word = "break" if isinstance(node, ast.Break) else "continue"
            raise _refuse(f"'{word}' outside loop", node)

    def _yield(self, node: ast.AST, _parent: ast.AST | None, context: _Context) -> None:
        if not context.function:
            raise _refuse("'yield' outside function", node)
        if context.in_lambda:
            raise _refuse("'yield' inside a lambda is not allowed: write a def", node)


_HANDLERS = {
    ast.Name: _Checker._name, ast.Attribute: _Checker._attribute,
    ast.keyword: _Checker._keyword, ast.Import: _Checker._import,
    ast.ImportFrom: _Checker._import, ast.Constant: _Checker._constant,
    ast.FormattedValue: _Checker._formatted, ast.For: _Checker._loop,
    ast.While: _Checker._loop, ast.With: _Checker._with,
    ast.FunctionDef: _Checker._function, ast.arg: _Checker._arg,
    ast.ClassDef: _Checker._class, ast.Return: _Checker._flow, ast.Break: _Checker._flow,
    ast.Continue: _Checker._flow, ast.Yield: _Checker._yield,
}


_SCOPES = frozenset({ast.FunctionDef, ast.Lambda, ast.ClassDef, ast.For, ast.While})


def _inner(node: ast.AST, context: _Context) -> Callable[[ast.AST], _Context]:
    """The context of `node`'s children."""
    if isinstance(node, ast.FunctionDef):
        body = set(map(id, node.body))
        return lambda child: _Context(function=True) if id(child) in body else context
    if isinstance(node, ast.Lambda):
        return lambda child: _Context(function=True, in_lambda=True) if child is node.body \
            else context
    if isinstance(node, ast.ClassDef):
        body = set(map(id, node.body))
        return lambda child: _Context(class_body=True) if id(child) in body else context
    if isinstance(node, ast.For | ast.While):
        body = set(map(id, node.body))
        return lambda child: context._replace(loop=True, class_body=False) \
            if id(child) in body else context
    return lambda _child: context._replace(class_body=False) if context.class_body \
        and not isinstance(node, ast.ClassDef) else context


def _all_args(node: ast.FunctionDef) -> list[ast.arg]:
    args = node.args
    found = [*args.posonlyargs, *args.args, *args.kwonlyargs]
    found += [a for a in (args.vararg, args.kwarg) if a is not None]
    return found


def _decorator_name(node: ast.expr) -> str:
    """staticmethod, or the last name of torch.no_grad() / torch.enable_grad()."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Call) and not node.args and not node.keywords \
            and isinstance(node.func, ast.Attribute) and node.func.attr in ("no_grad",
                                                                            "enable_grad"):
        return node.func.attr
    return ""


def _takes_any_keyword(call: ast.AST | None) -> bool:
    """`'{name}'.format(name=...)` and `dict(a=1)`: keywords that are data, not options."""
    if not isinstance(call, ast.Call):
        return False
    func = call.func
    return (isinstance(func, ast.Attribute) and func.attr == "format") or \
        (isinstance(func, ast.Name) and func.id == "dict")


def _is_super_call(node: ast.expr) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
        and node.func.id == "super"


def _unavailable(owner: Namespace, name: str) -> str:
    message = f"'{owner.name}.{name}' is not available"
    return f"{message}: {owner.hint}" if owner.hint else message


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
