"""The steps the browser animates, in two orders kept apart.

Forward steps follow the teaching order: topological generations of the graph (every
node of a generation could be computed at once). Backward steps follow the order
autograd really ran the nodes, as the hooks saw it, one phase per backward() call.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx
import torch

from chainrule.trace.graph import TraceGraph


@dataclass
class ForwardStep:
    node: str
    generation: int  # 0 for inputs; an op's generation is one past its latest input's
    edges: list[int]  # indices of the edges it reads


@dataclass
class BackwardStep:
    phase: int
    node: str
    grad: torch.Tensor | None  # the gradient arriving: d output / d this node's tensor
    edges: list[int]  # indices of its input edges, along which it sends gradients
    sends: list[torch.Tensor | None]  # what it sends along each of `edges`
    accumulated: torch.Tensor | None = None  # a leaf's .grad after this step
    # For a node listing several outputs: (output, the gradient arriving at it) for each.
    outputs: list[tuple[int, torch.Tensor | None]] = field(default_factory=list)
    returned: bool = False  # torch.autograd.grad handed this gradient back, unstored


@dataclass
class Steps:
    forward: list[ForwardStep] = field(default_factory=list)
    backward: list[BackwardStep] = field(default_factory=list)


def _number(node_id: str) -> int:
    return int(node_id[1:])


def build_steps(graph: TraceGraph) -> Steps:
    """Forward steps by generation, backward steps in autograd's order, per phase."""
    in_edges: dict[str, list[int]] = {}
    for index, edge in enumerate(graph.edges):
        in_edges.setdefault(edge.target, []).append(index)
    steps = Steps()
    digraph = graph.digraph()
    for generation, layer in enumerate(nx.topological_generations(digraph)):
        for node_id in sorted(layer, key=_number, reverse=True):
            steps.forward.append(ForwardStep(node_id, generation, in_edges.get(node_id, [])))
    nodes = {node.id: node for node in graph.nodes}
    for phase_index, phase in enumerate(graph.phases):
        for ran in phase.order:
            node_id = graph.node_of.get(ran.node)
            if node_id is None:
                continue  # a node of another graph that this backward also ran through
            edges = in_edges.get(node_id, [])
            sends = [_at(ran.grad_inputs, graph.edges[i].input) for i in edges]
            outputs = [(o.output, None if o.grad_index is None
                        else _at(ran.grad_outputs, o.grad_index))
                       for o in nodes[node_id].outputs]
            steps.backward.append(BackwardStep(
                phase_index, node_id, _at(ran.grad_outputs, 0), edges, sends,
                ran.accumulated, outputs, ran.returned))
    return steps


def _at(grads: tuple[torch.Tensor | None, ...], position: int) -> torch.Tensor | None:
    return grads[position] if position < len(grads) else None
