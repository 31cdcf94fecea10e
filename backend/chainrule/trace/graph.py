"""Build the traced graph: grad_fn nodes, leaves and constants, with values and gradients.

Pure data out (`TraceGraph`); serialize.py turns it into JSON. Ids are assigned in the
order the walk meets nodes, from the output back, so the same program gives the same ids.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import networkx as nx
import torch

from chainrule.errors import LimitError
from chainrule.settings import MAX_GRAPH_NODES
from chainrule.trace.backward import Phase
from chainrule.trace.labels import label
from chainrule.trace.names import Names
from chainrule.trace.recorder import Recorder, Span
from chainrule.trace.walk import reachable

Kind = Literal["op", "leaf", "constant"]


@dataclass
class GraphNode:
    id: str
    kind: Kind
    op: str | None
    label: str
    name: str | None
    value: torch.Tensor | None  # forward value of the tensor this node produced
    grad: torch.Tensor | None  # d output / d that tensor, from the backward phase
    span: Span | None


@dataclass
class GraphEdge:
    source: str  # the input's node
    target: str  # the op that consumed it
    input: int  # position among the target's next_functions
    grad: torch.Tensor | None  # what flowed back along this edge


@dataclass
class TraceGraph:
    nodes: list[GraphNode] = field(default_factory=list)
    edges: list[GraphEdge] = field(default_factory=list)
    output: str | None = None

    def digraph(self) -> nx.DiGraph:
        """The graph in forward data-flow direction, for orderings."""
        g = nx.DiGraph()
        g.add_nodes_from(n.id for n in self.nodes)
        g.add_edges_from((e.source, e.target) for e in self.edges)
        return g


def _grad_at(phase: Phase | None, node: Any, index: int = 0) -> torch.Tensor | None:
    if phase is None:
        return None
    ran = phase.by_node.get(node)
    if ran is None or index >= len(ran.grad_outputs):
        return None
    return ran.grad_outputs[index]


def build_graph(output: torch.Tensor, recorder: Recorder, phase: Phase | None,
                names: Names) -> TraceGraph:
    """The graph that produced `output`, walked iteratively from its grad_fn."""
    graph = TraceGraph()
    root = output.grad_fn
    if root is None:
        kind: Kind = "leaf" if output.requires_grad else "constant"
        graph.nodes.append(GraphNode(
            "n0", kind, "AccumulateGrad" if kind == "leaf" else None,
            names.of_tensor(output) or label(None), names.of_tensor(output),
            output.detach(), output.grad if kind == "leaf" else None, None))
        graph.output = "n0"
        return graph

    order = reachable(root)
    if len(order) > MAX_GRAPH_NODES:
        raise LimitError(f"the graph has more than {MAX_GRAPH_NODES} nodes")
    ids = {node: f"n{i}" for i, node in enumerate(order)}
    constants: dict[int, str] = {}  # id(tensor) -> node id; tensors are held by the recorder
    for node in order:
        graph.nodes.append(_op_node(node, ids[node], recorder, phase, names))
    for node in order:
        produced = recorder.produced.get(node)
        ran = phase.by_node.get(node) if phase else None
        for i, (child, _) in enumerate(node.next_functions):
            if child is not None:
                grad = ran.grad_inputs[i] if ran and i < len(ran.grad_inputs) else None
                graph.edges.append(GraphEdge(ids[child], ids[node], i, grad))
                continue
            tensor = produced.inputs[i] if produced and i < len(produced.inputs) else None
            if tensor is None:
                continue
            if id(tensor) not in constants:
                constants[id(tensor)] = cid = f"n{len(graph.nodes)}"
                name = names.of_tensor(tensor)
                graph.nodes.append(GraphNode(cid, "constant", None, name or label(None), name,
                                             tensor.detach(), None, None))
            graph.edges.append(GraphEdge(constants[id(tensor)], ids[node], i, None))
    if len(graph.nodes) > MAX_GRAPH_NODES:
        raise LimitError(f"the graph has more than {MAX_GRAPH_NODES} nodes")
    graph.output = ids[root]
    return graph


def _op_node(node: Any, nid: str, recorder: Recorder, phase: Phase | None,
             names: Names) -> GraphNode:
    op = type(node).__name__
    grad = _grad_at(phase, node)
    if op == "AccumulateGrad":
        leaf = node.variable
        name = names.of_tensor(leaf)
        return GraphNode(nid, "leaf", op, name or "leaf", name, recorder.leaf_value(leaf),
                         grad, None)
    produced = recorder.produced.get(node)
    return GraphNode(
        nid, "op", op, label(op), names.of_producer(node),
        produced.value if produced else None, grad, produced.span if produced else None,
    )
