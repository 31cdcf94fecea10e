"""Build the traced graph: grad_fn nodes, leaves and constants, with values and gradients.

Pure data out (`TraceGraph`); serialize.py turns it into JSON. Ids are assigned in the
order the walk meets nodes, from the output back, so the same program gives the same ids.
Node and edge gradients come from the last backward phase that ran through the graph.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import networkx as nx
import torch
from torch import nn

from chainrule.errors import LimitError
from chainrule.settings import MAX_GRAPH_NODES
from chainrule.spans import Span
from chainrule.trace.backward import Phase, Ran
from chainrule.trace.names import Names
from chainrule.trace.ops import edge_formula, input_symbol, label, op_formula, power_label
from chainrule.trace.recorder import Produced, Recorder, produced_of, untracked_inputs
from chainrule.trace.walk import reachable

Kind = Literal["op", "leaf", "constant"]


@dataclass
class GraphOutput:
    """One output of an op that produced several tensors (unbind, split, max with dim)."""

    output: int  # its position among the op's results (edges say the same in `output`)
    name: str | None
    value: torch.Tensor
    grad: torch.Tensor | None  # d output / d this tensor, in the last backward phase
    grad_index: int | None  # its place in the grad_fn's grad_outputs; None for what no
    # gradient can reach (max's indices)
    grad_parts: list[int] = field(default_factory=list)  # out-edges whose grads sum to grad


@dataclass
class GraphNode:
    id: str
    kind: Kind
    op: str | None
    label: str
    name: str | None
    value: torch.Tensor | None  # forward value of the tensor this node produced
    grad: torch.Tensor | None  # d output / d that tensor, from the last backward phase
    span: Span | None
    module: str | None = None  # qualified name of the module it ran inside
    saved: dict[str, Any] = field(default_factory=dict)  # the grad_fn's _saved_* values
    formula: str | None = None  # what the op computes, LaTeX
    grad_parts: list[int] = field(default_factory=list)  # out-edges whose grads sum to grad
    # For an op with several results: each one the program used. `value`, `grad` and
    # `grad_parts` above are those of output 0 (`name` too, for such an op).
    outputs: list[GraphOutput] = field(default_factory=list)
    meaning: str | None = None  # what the op computes, when the op table does not know it
    # The name it is shown by: `name`, else a short expression (`w*x`) or t1, t2, …
    # (trace/shown.py sets it once the forward order is known).
    shown: str | None = None
    arity: int | None = None  # the op's inputs (next_functions), numbers the program wrote too
    exponent: float | int | None = None  # n, for a tensor raised to a number's power
    # Numbers the program wrote as the op's operands, by the letter its formulas write
    # them as: `b * 5` gives {"b": 5}.
    numbers: dict[str, float | int] = field(default_factory=dict)


@dataclass
class GraphEdge:
    source: str  # the input's node
    target: str  # the op that consumed it
    input: int  # position among the target's next_functions
    grad: torch.Tensor | None  # what flowed back along this edge
    local: torch.Tensor | None = None  # d target / d source, for a one-element target
    formula: str | None = None  # the local derivative, LaTeX
    output: int = 0  # which output of a multi-output source (unbind, split) it reads
    symbol: str | None = None  # the letter the target's formula writes this input as


@dataclass
class TraceGraph:
    nodes: list[GraphNode] = field(default_factory=list)
    edges: list[GraphEdge] = field(default_factory=list)
    output: str | None = None
    phases: list[Phase] = field(default_factory=list)  # backward phases through this graph
    node_of: dict[Any, str] = field(default_factory=dict)  # grad_fn -> node id

    def digraph(self) -> nx.DiGraph:
        """The graph in forward data-flow direction, for orderings."""
        g = nx.DiGraph()
        g.add_nodes_from(n.id for n in self.nodes)
        g.add_edges_from((e.source, e.target) for e in self.edges)
        return g


def build_graph(output: torch.Tensor, recorder: Recorder, phases: list[Phase],
                names: Names) -> TraceGraph:
    """The graph that produced `output`, walked iteratively from its grad_fn."""
    graph = TraceGraph(phases=phases)
    last = phases[-1] if phases else None
    root = output.grad_fn
    if root is None:
        return _forward_only(output, recorder, names)

    order = reachable(root)
    if len(order) > MAX_GRAPH_NODES:
        raise _too_many(root)
    graph.node_of = {node: f"n{i}" for i, node in enumerate(order)}
    ids = graph.node_of
    # Where each op's grad_fn outputs sit among its results: edges and outputs agree.
    positions = {node: _positions(produced_of(node)) for node in order}
    leaf_reads = _leaf_reads(order)
    constants: dict[int, str] = {}  # id(tensor) -> node id; tensors are held by the recorder
    for node in order:
        graph.nodes.append(_op_node(node, ids[node], recorder, last, names, positions[node],
                                    leaf_reads))
    for node in order:
        produced = produced_of(node)
        ran = last.by_node.get(node) if last else None
        op = type(node).__name__
        custom = custom_backward(node, recorder)
        for i, (child, output_nr) in enumerate(node.next_functions):
            formula = edge_formula(op, i) if custom is None else custom
            symbol = input_symbol(op, i) if custom is None else None
            if child is not None:
                graph.edges.append(GraphEdge(
                    ids[child], ids[node], i, _at(ran.grad_inputs if ran else (), i),
                    _at(ran.local if ran else (), i), formula,
                    positions[child].get(output_nr, output_nr), symbol))
                continue
            tensor = produced.inputs[i] if produced and i < len(produced.inputs) else None
            if tensor is None:
                continue
            if id(tensor) not in constants:
                constants[id(tensor)] = cid = f"n{len(graph.nodes)}"
                value = produced.reads.get(id(tensor)) if produced else None
                graph.nodes.append(_tensor_node(cid, tensor, value, recorder, names))
            graph.edges.append(GraphEdge(constants[id(tensor)], ids[node], i, None, None,
                                         formula, symbol=symbol))
    if len(graph.nodes) > MAX_GRAPH_NODES:
        raise _too_many(root)
    _keep_used_outputs(graph, (ids[root], positions[root].get(output.output_nr, 0)))
    _mark_fan_out(graph)
    graph.output = ids[root]
    return graph


def custom_backward(node: Any, recorder: Recorder) -> str | None:
    """For a custom autograd Function's node: the program's own backward, the expression it
    returns, as LaTeX text (the interpreter told the tracer)."""
    if not recorder.custom_backwards:
        return None
    text = recorder.custom_backwards.get(type(node))
    if text is None:
        return None
    escaped = "".join(_TEX_ESCAPES.get(ch, ch) for ch in text)
    return f"\\texttt{{{escaped}}}"


_TEX_ESCAPES = {"\\": "\\textbackslash{}", "_": "\\_", "{": "\\{", "}": "\\}",
                "#": "\\#", "$": "\\$", "%": "\\%", "&": "\\&", "^": "\\^{}",
                "~": "\\~{}"}


def _too_many(root: Any) -> LimitError:
    """The graph is too large to show: said at the expression that made its output."""
    produced = produced_of(root)
    line, col = (produced.span[0], produced.span[1]) \
        if produced is not None and produced.span is not None else (None, None)
    return LimitError(f"the graph has more than {MAX_GRAPH_NODES} nodes", line, col)


def _positions(produced: Produced | None) -> dict[int, int]:
    """grad_fn output number -> position among the op's results (the same for the ops
    torch has, but named once here)."""
    if produced is None or len(produced.outputs) < 2:
        return {}
    return {nr: j for j, nr in enumerate(produced.output_nrs) if nr is not None}


def _leaf_reads(order: list[Any]) -> dict[Any, torch.Tensor]:
    """Each leaf's value as the graph's ops read it: at the first op of the graph (in the
    order the program ran them) that read it. A leaf updated in place or through `.data`
    after that shows the value the graph was built from."""
    first: dict[Any, tuple[int, torch.Tensor]] = {}
    for node in order:
        produced = produced_of(node)
        if produced is None:
            continue
        for child, _ in node.next_functions:
            if child is None or type(child).__name__ != "AccumulateGrad":
                continue
            value = produced.reads.get(id(child.variable))
            known = first.get(child)
            if value is not None and (known is None or produced.seq < known[0]):
                first[child] = (produced.seq, value)
    return {leaf: value for leaf, (_, value) in first.items()}


def _forward_only(output: torch.Tensor, recorder: Recorder, names: Names) -> TraceGraph:
    """The graph of ops that ran with no gradient recorded, from the dispatch records.

    Its ops have no grad_fn; they are named after the aten op that ran ("aten.mul").
    """
    graph = TraceGraph()
    ids: dict[int, str] = {}
    queue = [output]
    held = [output]  # keeps every id() in `ids` valid while the graph is built
    read: dict[int, torch.Tensor] = {}  # an input's value as its first consumer read it
    while queue:
        tensor = queue.pop(0)
        nid = ids[id(tensor)] = f"n{len(graph.nodes)}"
        record = recorder.untracked.get(id(tensor))
        if record is None or record.output(record.index) is not tensor:
            graph.nodes.append(_tensor_node(nid, tensor, read.get(id(tensor)), recorder,
                                            names))
            continue
        op = f"aten.{_aten_name(record.op)}"
        graph.nodes.append(GraphNode(nid, "op", op, label(op), names.of_tensor(tensor),
                                     record.value, None, record.span,
                                     names.module_names.get(id(record.module))))
        for position, source in enumerate(untracked_inputs(record)):
            if source is None:
                continue
            if id(source) not in ids:
                if len(graph.nodes) + len(queue) >= MAX_GRAPH_NODES:
                    raise LimitError(f"the graph has more than {MAX_GRAPH_NODES} nodes")
                ids[id(source)] = ""  # claimed; numbered when it leaves the queue
                if id(source) in record.reads:
                    read[id(source)] = record.reads[id(source)]
                queue.append(source)
                held.append(source)
            graph.edges.append(GraphEdge(f"@{id(source)}", nid, position, None))
    for edge in graph.edges:  # sources were numbered after their edges were made
        edge.source = ids[int(edge.source[1:])]
    graph.output = "n0"
    return graph


def _aten_name(func: Any) -> str:
    return str(func._schema.name).split("::")[-1]


def _at(grads: tuple[torch.Tensor | None, ...], i: int) -> torch.Tensor | None:
    return grads[i] if i < len(grads) else None


def _keep_used_outputs(graph: TraceGraph, root: tuple[str, int]) -> None:
    """An op's results are listed when the program used them: read by an edge of the
    graph, bound to a name, or differentiated (`root`: the shown output's node and
    position)."""
    used = {(e.source, e.output) for e in graph.edges} | {root}
    for node in graph.nodes:
        if node.outputs:
            node.outputs = [o for o in node.outputs
                            if (node.id, o.output) in used or o.name is not None]


def _mark_fan_out(graph: TraceGraph) -> None:
    """Where a tensor feeds several ops, name the edges whose gradients sum to its own:
    for each output of an op with several (a node's own grad_parts are output 0's)."""
    out_edges: dict[tuple[str, int], list[int]] = {}
    for index, edge in enumerate(graph.edges):
        out_edges.setdefault((edge.source, edge.output), []).append(index)
    for node in graph.nodes:
        edges = out_edges.get((node.id, 0), [])
        if len(edges) > 1:
            node.grad_parts = edges
        for result in node.outputs:
            edges = out_edges.get((node.id, result.output), [])
            if len(edges) > 1:
                result.grad_parts = edges


def _tensor_node(nid: str, tensor: torch.Tensor, value: torch.Tensor | None,
                 recorder: Recorder, names: Names) -> GraphNode:
    """A leaf or constant met as a tensor rather than as a grad_fn; `value` is what the op
    read (its value now when that was not recorded). No gradient reaches it here."""
    kind: Kind = "leaf" if tensor.requires_grad and tensor.is_leaf else "constant"
    name = names.of_tensor(tensor)
    is_leaf = kind == "leaf"
    return GraphNode(nid, kind, "AccumulateGrad" if is_leaf else None,
                     name or label(None), name,
                     value if value is not None else tensor.detach().clone(),
                     None, recorder.span_of(tensor))


def _op_node(node: Any, nid: str, recorder: Recorder, phase: Phase | None,
             names: Names, positions: dict[int, int],
             leaf_reads: dict[Any, torch.Tensor]) -> GraphNode:
    op = type(node).__name__
    ran: Ran | None = phase.by_node.get(node) if phase else None
    grads = ran.grad_outputs if ran else ()
    if op == "AccumulateGrad":
        leaf = node.variable
        name = names.of_tensor(leaf)
        value = leaf_reads.get(node)
        return GraphNode(nid, "leaf", op, name or "leaf", name,
                         value if value is not None else leaf.detach().clone(),
                         _at(grads, 0), recorder.span_of(leaf), names.module_of_parameter(leaf))
    produced = produced_of(node)
    module: nn.Module | None = produced.module if produced else None
    result = GraphNode(
        nid, "op", op, label(op), names.of_producer(node),
        produced.value if produced else None, _at(grads, 0),
        produced.span if produced else None,
        names.module_names.get(id(module)) if module is not None else None,
        ran.saved if ran else {}, op_formula(op),
    )
    result.arity = len(node.next_functions)
    if produced is not None and len(produced.args) == result.arity:
        for i, arg in enumerate(produced.args):
            letter = input_symbol(op, i)
            if letter and isinstance(arg, int | float) and not isinstance(arg, bool):
                result.numbers[letter] = arg
    if op == "PowBackward0":
        result.exponent = _exponent(node)
        result.label = power_label(result.exponent)
    if custom_backward(node, recorder) is not None:
        result.meaning = (f"{op.removesuffix('Backward')}: a custom autograd Function; its "
                          "backward is the program's own")
    if produced is not None and len(produced.outputs) > 1:
        first = positions.get(0, produced.index)
        result.value = produced.values[first]
        result.name = names.of_tensor(produced.output(first))
        for j, (value, grad_index) in enumerate(zip(produced.values, produced.output_nrs,
                                                    strict=True)):
            grad = None if grad_index is None else _at(grads, grad_index)
            result.outputs.append(GraphOutput(j, names.of_tensor(produced.output(j)), value,
                                              grad, grad_index))
    return result


def _exponent(node: Any) -> float | int | None:
    """n of a tensor raised to a number's power (torch keeps it on the node)."""
    exponent = getattr(node, "_saved_exponent", None)
    return exponent if isinstance(exponent, int | float) and not isinstance(exponent, bool) \
        else None
