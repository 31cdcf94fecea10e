"""The checker's own tree walk visits what ast's does, in the same order."""

from __future__ import annotations

import ast

import pytest

from chainrule.content.examples import EXAMPLES
from chainrule.language.parse import children, walk
from tests.language.corpus import CORPUS

SOURCES = [*CORPUS.values(), *(e.source for e in EXAMPLES),
           "f'{x!r:>{width}}'\nlambda a, *b, c=1, **d: a\n[y for y in range(3) if y]\n"]


@pytest.mark.parametrize("source", SOURCES)
def test_children_and_walk_match_ast(source: str) -> None:
    tree = ast.parse(source)
    nodes = list(ast.walk(tree))
    assert walk(tree) == nodes
    for node in nodes:
        assert children(node) == list(ast.iter_child_nodes(node))
