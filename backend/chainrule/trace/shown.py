"""The name each node is shown by, so that formulas and cards speak the program's language.

A node bound to a variable (or a module's parameter) goes by that name. An unnamed
intermediate goes by the expression it came from, when that is short: written from its
inputs' names and the op (`w*x`, `(y-z)**2`, `exp(u)`), else the source text of the
expression that ran it (`2 * x`) when no other node ran in the same one (never for an
op with several results: `max(m)` iterates m, its unbind is not the max); else `t1`,
`t2`, … in forward order. A shown name is never one of the program's own variable names,
and no two nodes share one (spaces aside).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping

from chainrule.trace.graph import GraphEdge, GraphNode, TraceGraph

MAX_SHOWN = 12  # characters in an expression used as a name; past it, t1, t2, …

# Ops written between their two inputs, and the Python operator that writes them.
_INFIX = {"AddBackward0": "+", "SubBackward0": "-", "MulBackward0": "*", "DivBackward0": "/",
          "MmBackward0": "@", "MvBackward0": "@", "PowBackward1": "**"}
# Ops written as a function of their one input: exp(u).
_CALLS = {"ExpBackward0": "exp", "LogBackward0": "log", "SinBackward0": "sin",
          "CosBackward0": "cos", "TanhBackward0": "tanh", "SigmoidBackward0": "sigmoid",
          "ReluBackward0": "relu", "SqrtBackward0": "sqrt", "AbsBackward0": "abs"}
# Ops written as a method of their one input: u.sum().
_METHODS = {"SumBackward0": ".sum()", "MeanBackward0": ".mean()", "TBackward0": ".T",
            "UnbindBackward0": ".unbind()", "SplitBackward0": ".split()",
            "SplitWithSizesBackward0": ".split()"}
_IDENTIFIER = re.compile(r"[A-Za-z_]\w*(\.\w+)*")


def name_nodes(graph: TraceGraph, order: Iterable[str], source: str,
               bound: Iterable[str]) -> None:
    """Set each node's `shown` (see shown_names)."""
    names = shown_names(graph.nodes, graph.edges, order, source, bound)
    for node in graph.nodes:
        node.shown = names.get(node.id)


def shown_names(nodes: list[GraphNode], edges: list[GraphEdge], order: Iterable[str],
                source: str, bound: Iterable[str]) -> dict[str, str]:
    """Node id -> the name it is shown by, for every node of `order`: the forward order
    (the forward steps' node ids); `bound` is every name the program bound."""
    by_id = {node.id: node for node in nodes}
    inputs: dict[str, list[GraphEdge]] = {}
    for edge in edges:
        inputs.setdefault(edge.target, []).append(edge)
    lines = source.splitlines()
    # A span several nodes ran in (the call of a torch module, a line run in a loop)
    # names none of them.
    spans = Counter(node.span for node in nodes if node.span is not None)
    taken = set(bound)
    shown: dict[str, str] = {}
    counter = 0
    for nid in order:
        node = by_id[nid]
        if node.name is not None and not node.outputs:
            shown[nid] = node.name
            continue
        ins = sorted(inputs.get(nid, []), key=lambda e: e.input)
        candidates = (_composed(node, ins, shown, by_id),
                      _source_text(node, lines)
                      if node.span is not None and spans[node.span] == 1 and not node.outputs
                      else None)
        name = next((c for c in candidates if c is not None and len(c) <= MAX_SHOWN
                     and _squeezed(c) not in taken), None)
        if name is None:
            counter, name = _next_free(counter, taken)
        taken.add(_squeezed(name))
        shown[nid] = name
    return shown


def _squeezed(name: str) -> str:
    """A name without its spaces: `x * x` and `x*x` are one name."""
    return "".join(name.split())


def _next_free(counter: int, taken: set[str]) -> tuple[int, str]:
    while True:
        counter += 1
        if f"t{counter}" not in taken:
            return counter, f"t{counter}"


def _operand(name: str) -> str:
    """A name as an operand of a larger expression: in brackets unless a plain name."""
    return name if _IDENTIFIER.fullmatch(name) else f"({name})"


def _input_name(edge: GraphEdge, shown: Mapping[str, str],
                by_id: Mapping[str, GraphNode]) -> str | None:
    source = by_id[edge.source]
    if source.outputs:  # one output of an op with several: its own name, else [k]
        named = next((o.name for o in source.outputs if o.output == edge.output), None)
        base = shown.get(edge.source)
        return named or (f"{_operand(base)}[{edge.output}]" if base else None)
    return shown.get(edge.source)


def _composed(node: GraphNode, ins: list[GraphEdge], shown: Mapping[str, str],
              by_id: Mapping[str, GraphNode]) -> str | None:
    """The expression written from the op and its inputs' shown names, when every input
    of the op is a node of the graph (a number the program wrote is not: `2 * x` is not
    written from it)."""
    op = node.op or ""
    names = [_input_name(e, shown, by_id) for e in ins]
    if any(n is None for n in names) or [e.input for e in ins] != list(range(len(ins))):
        return None
    parts = [_operand(n) for n in names if n is not None]
    if op in _INFIX and len(parts) == 2 and _arity(node) == 2:
        return f"{parts[0]}{_INFIX[op]}{parts[1]}"
    if len(parts) != 1 or _arity(node) != 1:
        return None
    if op == "PowBackward0" and node.exponent is not None:
        return f"{parts[0]}**{_number(node.exponent)}"
    if op == "NegBackward0":
        return f"-{parts[0]}"
    if op in _CALLS:
        return f"{_CALLS[op]}({names[0]})"
    if op in _METHODS:
        return f"{parts[0]}{_METHODS[op]}"
    return None


def _arity(node: GraphNode) -> int:
    """How many tensor inputs the op had, as far as the graph knows (a number the program
    wrote has no node)."""
    return node.arity if node.arity is not None else -1


def _number(x: float | int) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def _source_text(node: GraphNode, lines: list[str]) -> str | None:
    """The source text of the expression that ran the op, on one line, spaces squeezed."""
    if node.span is None:
        return None
    line, col, end_line, end_col = node.span
    if line < 1 or line != end_line or line > len(lines):
        return None
    text = " ".join(lines[line - 1][col:end_col].split())
    return text or None
