"""Source text -> Python syntax tree, within limits checked before and after parsing.

The parser itself can raise RecursionError or MemoryError on hostile input, so the
text is measured first (length, lines, bracket depth) and the tree after.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from chainrule.errors import LimitError, ProgramSyntaxError
from chainrule.settings import (
    MAX_AST_DEPTH,
    MAX_AST_NODES,
    MAX_NESTING_CHARS,
    MAX_SOURCE_CHARS,
    MAX_SOURCE_LINES,
)

_OPENERS = {"(": ")", "[": "]", "{": "}"}
_CLOSERS = frozenset(_OPENERS.values())
_NEWLINE = re.compile(r"\r\n|\r|\n")  # what Python's tokenizer counts as a line break


@dataclass(frozen=True)
class Parsed:
    """A parsed program; `expression` is set when the source is one expression."""

    tree: ast.Module
    expression: ast.expr | None
    lines: tuple[str, ...] = ()  # the source lines, to turn ast's byte columns into characters


def parse_source(source: str) -> Parsed:
    """Parse `source` after checking its size, or raise a ChainruleError with the place."""
    _check_text(source)
    try:
        tree = ast.parse(source, mode="exec", type_comments=False)
    except SyntaxError as exc:
        raise ProgramSyntaxError(
            f"invalid syntax: {exc.msg}", exc.lineno, max((exc.offset or 1) - 1, 0)
        ) from None
    except (RecursionError, MemoryError):
        # CPython's parser gives up on deep nesting (- - - 1, a chain of thousands of +).
        raise LimitError(
            f"the program is nested too deeply to parse (the limit is {MAX_AST_DEPTH} levels)"
        ) from None
    except ValueError as exc:
        raise ProgramSyntaxError(f"invalid source: {exc}") from None
    lines = tuple(_NEWLINE.split(source))
    try:
        _check_tree(tree)
    except LimitError as exc:
        if exc.line is not None and exc.col is not None:
            exc.col = char_column(lines, exc.line, exc.col)
        raise
    expression = None
    if len(tree.body) == 1 and isinstance(tree.body[0], ast.Expr):
        value = tree.body[0].value
        # A lone call such as print(x) is a statement, not an expression to graph.
        if not isinstance(value, ast.Call) or not _is_statement_call(value):
            expression = value
    return Parsed(tree, expression, lines)


def char_column(lines: tuple[str, ...], line: int, byte_col: int) -> int:
    """ast counts columns in UTF-8 bytes; the editor counts characters."""
    if not 0 < line <= len(lines) or lines[line - 1].isascii():
        return byte_col
    return len(lines[line - 1].encode()[:byte_col].decode(errors="ignore"))


def _is_statement_call(call: ast.Call) -> bool:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id == "print"
    return isinstance(func, ast.Attribute) and func.attr in {"backward", "step", "zero_grad"}


def _check_text(source: str) -> None:
    if len(source) > MAX_SOURCE_CHARS:
        raise LimitError(f"the program is longer than {MAX_SOURCE_CHARS} characters")
    if source.count("\n") + 1 > MAX_SOURCE_LINES:
        raise LimitError(f"the program is longer than {MAX_SOURCE_LINES} lines")
    if "\x00" in source:
        line = source[: source.index("\x00")].count("\n") + 1
        raise ProgramSyntaxError("the program contains a NUL character", line, 0)
    try:
        source.encode("utf-8")
    except UnicodeEncodeError as exc:
        before = source[: exc.start]
        raise ProgramSyntaxError(
            "the program contains a character that is not valid Unicode",
            before.count("\n") + 1, len(before) - (before.rfind("\n") + 1),
        ) from None
    depth = 0
    line, col = 1, 0
    for ch in source:
        if ch == "\n":
            line, col = line + 1, 0
            continue
        if ch in _OPENERS:
            depth += 1
            if depth > MAX_NESTING_CHARS:
                raise LimitError(
                    f"brackets are nested more than {MAX_NESTING_CHARS} deep", line, col
                )
        elif ch in _CLOSERS:
            depth = max(depth - 1, 0)
        col += 1


def _check_tree(tree: ast.Module) -> None:
    """Count nodes and measure depth without recursion; errors point at the nearest
    node with a place (operators and contexts have none)."""
    count = 0
    stack: list[tuple[ast.AST, int, ast.AST]] = [(tree, 0, tree)]
    while stack:
        node, depth, placed = stack.pop()
        if hasattr(node, "lineno"):
            placed = node
        count += 1
        where = getattr(placed, "lineno", None), getattr(placed, "col_offset", None)
        if count > MAX_AST_NODES:
            raise LimitError(f"the program has more than {MAX_AST_NODES} syntax nodes", *where)
        if depth > MAX_AST_DEPTH:
            raise LimitError(f"the program is nested more than {MAX_AST_DEPTH} levels deep",
                             *where)
        stack.extend((child, depth + 1, placed) for child in children(node))


def children(node: ast.AST) -> list[ast.AST]:
    """ast.iter_child_nodes as a list, in the same order, at about half its cost (every
    program is walked three times before it runs)."""
    found: list[ast.AST] = []
    for name in node._fields:
        value = getattr(node, name, None)
        if isinstance(value, ast.AST):
            found.append(value)
        elif type(value) is list:
            found.extend(item for item in value if isinstance(item, ast.AST))
    return found


def walk(tree: ast.AST) -> list[ast.AST]:
    """Every node under `tree`, itself included (ast.walk's nodes, as a list)."""
    nodes = [tree]
    for node in nodes:  # grows as it goes: breadth first, as ast.walk
        nodes.extend(children(node))
    return nodes
