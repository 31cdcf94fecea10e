"""Where names live: the program's globals, and one frame per call of a function it defined.

A function's local names are found before it runs, as Python finds them: every name it
assigns (outside nested functions and classes), its parameters, and not the names it
declares `global` or `nonlocal`. A frame keeps the frame its function was defined in, so
a closure reads the variables of its enclosing call as they are now (late binding, as in
CPython).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any

from chainrule.language.parse import children


@dataclass(frozen=True)
class FunctionNames:
    """What a function body does with names, found once before it first runs."""

    local: frozenset[str]
    declared_global: frozenset[str] = frozenset()
    declared_nonlocal: frozenset[str] = frozenset()
    is_generator: bool = False


@dataclass(eq=False)
class Frame:
    """One running call of a function the program defined (or a class body)."""

    locals: dict[str, Any]
    names: FunctionNames
    enclosing: Frame | None  # the frame the function was defined in
    function: Any = None  # the UserFunction running
    yielded: list[Any] | None = None  # a generator's items, collected as its body runs
    is_class: bool = False  # a class body: its names become the class's attributes
    receiver: Any = None  # the first argument of a method (for super())
    extra: dict[str, Any] = field(default_factory=dict)

    def holder(self, name: str) -> Frame | None:
        """The enclosing function frame whose variable `name` is (closures, nonlocal);
        class bodies are skipped, as Python skips them."""
        frame = self.enclosing
        while frame is not None:
            if not frame.is_class and name in frame.names.local:
                return frame
            frame = frame.enclosing
        return None


_NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, ast.ListComp,
           ast.SetComp, ast.DictComp, ast.GeneratorExp)


def analyse(arguments: ast.arguments | None, body: list[ast.stmt] | list[ast.expr]
            ) -> FunctionNames:
    """The names a function (or comprehension, with `arguments` None) binds locally."""
    local: set[str] = set()
    declared_global: set[str] = set()
    declared_nonlocal: set[str] = set()
    is_generator = False
    if arguments is not None:
        for arg in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs):
            local.add(arg.arg)
        for rest in (arguments.vararg, arguments.kwarg):
            if rest is not None:
                local.add(rest.arg)
    stack: list[ast.AST] = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            local.add(node.name)
            stack.extend(node.decorator_list)  # evaluated here; their bodies are not
            if not isinstance(node, ast.ClassDef):
                stack.extend(d for d in (*node.args.defaults, *node.args.kw_defaults)
                             if d is not None)
            else:
                stack.extend(node.bases)
            continue
        if isinstance(node, ast.Lambda):
            stack.extend(node.args.defaults)
            continue
        if isinstance(node, ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp):
            stack.append(node.generators[0].iter)  # only the first iterable runs here
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
            local.add(node.id)
        elif isinstance(node, ast.Global):
            declared_global.update(node.names)
        elif isinstance(node, ast.Nonlocal):
            declared_nonlocal.update(node.names)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            for alias in node.names:
                local.add(alias.asname or alias.name.split(".")[0])
        elif isinstance(node, ast.Yield | ast.YieldFrom):
            is_generator = True
        stack.extend(children(node))
    local -= declared_global | declared_nonlocal
    return FunctionNames(frozenset(local), frozenset(declared_global),
                         frozenset(declared_nonlocal), is_generator)


def comprehension_names(generators: list[ast.comprehension]) -> FunctionNames:
    """A comprehension's own names: its targets (they do not leak, as in Python 3)."""
    local: set[str] = set()
    for generator in generators:
        for node in ast.walk(generator.target):
            if isinstance(node, ast.Name):
                local.add(node.id)
    return FunctionNames(frozenset(local))
