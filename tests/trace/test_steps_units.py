"""build_steps on hand-built graphs: forward generations, and backward steps in the order
the phases recorded, with what each step received and sent."""

from __future__ import annotations

import torch

from chainrule.trace.backward import Phase, Ran
from chainrule.trace.graph import GraphEdge, GraphNode, GraphOutput, Kind, TraceGraph
from chainrule.trace.steps import BackwardStep, ForwardStep, build_steps


class Stand:
    """A stand-in for a grad_fn: build_steps only maps it through `graph.node_of`."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"Stand({self.name})"


def t(value: float) -> torch.Tensor:
    return torch.tensor(value)


def node(nid: str, kind: Kind = "op", outputs: list[GraphOutput] | None = None) -> GraphNode:
    return GraphNode(nid, kind, None, nid, None, t(0.0), None, None, outputs=outputs or [])


def edge(source: str, target: str, position: int, output: int = 0) -> GraphEdge:
    return GraphEdge(source, target, position, None, output=output)


def diamond() -> TraceGraph:
    """z = y + a, y = a * b, as the walk numbers it: n0 add, n1 mul, n2 a, n3 b.

    The add's edges are listed input 1 first, so an edge's index and its input position
    differ.
    """
    return TraceGraph(
        nodes=[node("n0"), node("n1"), node("n2", "leaf"), node("n3", "leaf")],
        edges=[edge("n2", "n0", 1),   # 0: a into the add, at input 1
               edge("n1", "n0", 0),   # 1: y into the add, at input 0
               edge("n2", "n1", 0),   # 2: a into the mul
               edge("n3", "n1", 1)],  # 3: b into the mul
        output="n0",
    )


def phase(*order: Ran) -> Phase:
    return Phase(root=order[0].node if order else None, span=(1, 0, 1, 1),
                 order=list(order), by_node={ran.node: ran for ran in order})


# Forward: the teaching order.

def test_forward_steps_come_in_generations_each_with_the_edges_it_reads() -> None:
    steps = build_steps(diamond())
    assert steps.forward == [ForwardStep("n3", 0, []), ForwardStep("n2", 0, []),
                             ForwardStep("n1", 1, [2, 3]), ForwardStep("n0", 2, [0, 1])]


def test_nodes_of_one_generation_run_from_the_highest_id_by_number_not_by_text() -> None:
    # Three inputs of one op: n9 < n10 < n11 as numbers, n10 < n11 < n9 as text.
    graph = TraceGraph(
        nodes=[node("n0"), node("n9", "leaf"), node("n10", "leaf"), node("n11", "leaf")],
        edges=[edge("n9", "n0", 0), edge("n10", "n0", 1), edge("n11", "n0", 2)],
    )
    steps = build_steps(graph)
    assert [(s.node, s.generation) for s in steps.forward] == [
        ("n11", 0), ("n10", 0), ("n9", 0), ("n0", 1)]


# Backward: the order autograd ran.

def test_backward_steps_follow_the_phase_order_not_the_node_ids() -> None:
    graph = diamond()
    add, mul, a, b = Stand("add"), Stand("mul"), Stand("a"), Stand("b")
    graph.node_of = {add: "n0", mul: "n1", a: "n2", b: "n3"}
    graph.phases = [phase(Ran(add, (t(1.0),), ()), Ran(b, (t(2.0),), ()),
                          Ran(mul, (t(1.0),), ()), Ran(a, (t(4.0),), ()))]
    steps = build_steps(graph)
    assert [(s.phase, s.node) for s in steps.backward] == [
        (0, "n0"), (0, "n3"), (0, "n1"), (0, "n2")]


def test_backward_skips_nodes_of_another_graph() -> None:
    graph = diamond()
    add, stranger = Stand("add"), Stand("stranger")
    graph.node_of = {add: "n0"}
    graph.phases = [phase(Ran(stranger, (t(9.0),), ()), Ran(add, (t(1.0),), ()))]
    steps = build_steps(graph)
    assert [s.node for s in steps.backward] == ["n0"]


def test_backward_step_carries_the_first_grad_output_as_its_grad() -> None:
    graph = diamond()
    mul = Stand("mul")
    first, second = t(3.0), t(7.0)
    graph.node_of = {mul: "n1"}
    graph.phases = [phase(Ran(mul, (first, second), ()))]
    (step,) = build_steps(graph).backward
    assert step.grad is first


def test_backward_step_with_no_grad_outputs_has_no_grad() -> None:
    graph = diamond()
    mul = Stand("mul")
    graph.node_of = {mul: "n1"}
    graph.phases = [phase(Ran(mul, (), ()))]
    (step,) = build_steps(graph).backward
    assert step.grad is None
    assert step.sends == [None, None]


def test_sends_follow_each_edge_by_its_input_position() -> None:
    graph = diamond()
    add = Stand("add")
    to_y, to_a = t(10.0), t(20.0)  # grad_inputs[0] flows to y, grad_inputs[1] to a
    graph.node_of = {add: "n0"}
    graph.phases = [phase(Ran(add, (t(1.0),), (to_y, to_a)))]
    (step,) = build_steps(graph).backward
    assert step.edges == [0, 1]  # edge 0 is a at input 1, edge 1 is y at input 0
    assert step.sends[0] is to_a
    assert step.sends[1] is to_y


def test_sends_past_the_grad_inputs_are_none() -> None:
    graph = diamond()
    mul = Stand("mul")
    only = t(5.0)
    graph.node_of = {mul: "n1"}
    graph.phases = [phase(Ran(mul, (t(1.0),), (only,)))]
    (step,) = build_steps(graph).backward
    assert step.edges == [2, 3]
    assert step.sends[0] is only
    assert step.sends[1] is None


def test_leaf_step_carries_what_was_accumulated_and_sends_nothing() -> None:
    graph = diamond()
    a = Stand("a")
    arrived, total = t(4.0), t(6.0)
    graph.node_of = {a: "n2"}
    graph.phases = [phase(Ran(a, (arrived,), (), accumulated=total))]
    (step,) = build_steps(graph).backward
    assert step == BackwardStep(0, "n2", arrived, [], [], total, [], False)
    assert step.accumulated is total


def test_a_gradient_autograd_grad_returned_is_marked_returned() -> None:
    graph = diamond()
    a, b = Stand("a"), Stand("b")
    graph.node_of = {a: "n2", b: "n3"}
    graph.phases = [phase(Ran(a, (t(4.0),), (), returned=True), Ran(b, (t(2.0),), ()))]
    steps = build_steps(graph)
    assert [(s.node, s.returned) for s in steps.backward] == [("n2", True), ("n3", False)]


def test_steps_of_each_phase_carry_that_phase_index() -> None:
    graph = diamond()
    add, mul = Stand("add"), Stand("mul")
    first, second = t(1.0), t(2.0)
    graph.node_of = {add: "n0", mul: "n1"}
    graph.phases = [phase(Ran(add, (first,), ())),
                    phase(Ran(add, (second,), ()), Ran(mul, (t(3.0),), ()))]
    steps = build_steps(graph)
    assert [(s.phase, s.node) for s in steps.backward] == [(0, "n0"), (1, "n0"), (1, "n1")]
    assert steps.backward[0].grad is first
    assert steps.backward[1].grad is second


def test_a_node_with_several_outputs_gets_each_outputs_grad_by_its_grad_index() -> None:
    # An op with three results: output 0 at grad_outputs[1], output 1 unreachable by any
    # gradient (max's indices), output 2 at grad_outputs[0]; output 3 past what arrived.
    outputs = [GraphOutput(0, None, t(0.0), None, 1), GraphOutput(1, None, t(0.0), None, None),
               GraphOutput(2, None, t(0.0), None, 0), GraphOutput(3, None, t(0.0), None, 5)]
    graph = TraceGraph(nodes=[node("n0"), node("n1", outputs=outputs), node("n2", "leaf")],
                       edges=[edge("n1", "n0", 0, output=2), edge("n2", "n1", 0)])
    split = Stand("split")
    at_zero, at_one = t(8.0), t(9.0)
    graph.node_of = {split: "n1"}
    graph.phases = [phase(Ran(split, (at_zero, at_one), ()))]
    (step,) = build_steps(graph).backward
    assert step.outputs == [(0, at_one), (1, None), (2, at_zero), (3, None)]
    assert step.outputs[0][1] is at_one
    assert step.outputs[2][1] is at_zero
    assert step.edges == [1]
