"""trace/graph.py on hand-built inputs: its helpers on made-up graphs, and build_graph on
small autograd graphs made with plain torch, with records placed in their nodes by hand
(or by the Recorder itself where its copies are the point)."""

from __future__ import annotations

import operator
import weakref
from types import SimpleNamespace
from typing import Any

import pytest
import torch

from chainrule.errors import LimitError
from chainrule.settings import MAX_GRAPH_NODES, MAX_MODULE_DEPTH
from chainrule.trace import graph as graph_module
from chainrule.trace.backward import Phase, Ran
from chainrule.trace.graph import (
    GraphEdge,
    GraphNode,
    GraphOutput,
    TraceGraph,
    _keep_used_outputs,
    _leaf_reads,
    _mark_fan_out,
    _positions,
    _too_many,
    build_graph,
    custom_backward,
)
from chainrule.trace.names import Names
from chainrule.trace.recorder import Produced, Recorder, produced_of
from chainrule.trace.walk import reachable


def attach(node: Any, value: torch.Tensor, *, span: tuple[int, int, int, int] = (1, 0, 1, 1),
           inputs: list[Any] | None = None, reads: dict[int, torch.Tensor] | None = None,
           seq: int = 0, outputs: list[torch.Tensor] | None = None,
           values: list[torch.Tensor] | None = None,
           output_nrs: list[int | None] | None = None) -> Produced:
    """Place a record in a grad_fn's metadata, where the Recorder keeps it."""
    produced = Produced(value=value, span=span, inputs=inputs or [], reads=reads or {},
                        seq=seq, outputs=[weakref.ref(t) for t in outputs or []],
                        values=values or [], output_nrs=output_nrs or [])
    node.metadata["chainrule.produced"] = produced
    assert produced_of(node) is produced
    return produced


def op_node(nid: str, outputs: list[GraphOutput] | None = None) -> GraphNode:
    return GraphNode(nid, "op", None, nid, None, None, None, None, outputs=outputs or [])


def result(output: int, name: str | None = None) -> GraphOutput:
    return GraphOutput(output, name, torch.tensor(0.0), None, output)


def t(value: float) -> torch.Tensor:
    return torch.tensor(value)


# _mark_fan_out

def test_fan_out_marks_the_edges_whose_gradients_sum_to_a_node() -> None:
    graph = TraceGraph(nodes=[op_node("n0"), op_node("n1"), op_node("n2")],
                       edges=[GraphEdge("n1", "n0", 0, None), GraphEdge("n2", "n0", 1, None),
                              GraphEdge("n2", "n1", 0, None)])
    _mark_fan_out(graph)
    assert [n.grad_parts for n in graph.nodes] == [[], [], [1, 2]]


def test_fan_out_is_marked_per_output_of_a_multi_output_op() -> None:
    # n1 has three results: output 0 read once, output 1 read twice, output 2 three times.
    graph = TraceGraph(
        nodes=[op_node("n0"), op_node("n1", [result(0), result(1), result(2)])],
        edges=[GraphEdge("n1", "n0", 0, None, output=1), GraphEdge("n1", "n0", 1, None),
               GraphEdge("n1", "n0", 2, None, output=2), GraphEdge("n1", "n0", 3, None,
                                                                   output=1),
               GraphEdge("n1", "n0", 4, None, output=2), GraphEdge("n1", "n0", 5, None,
                                                                   output=2)])
    _mark_fan_out(graph)
    split = graph.nodes[1]
    assert split.grad_parts == []  # output 0's: read by one edge only
    assert [o.grad_parts for o in split.outputs] == [[], [0, 3], [2, 4, 5]]


# _keep_used_outputs

def test_outputs_kept_are_those_read_named_or_differentiated() -> None:
    split = op_node("n1", [result(0), result(1, name="second"), result(2), result(3)])
    plain = op_node("n2")
    graph = TraceGraph(nodes=[op_node("n0"), split, plain],
                       edges=[GraphEdge("n1", "n0", 0, None, output=0)])
    _keep_used_outputs(graph, ("n1", 3))
    assert [o.output for o in split.outputs] == [0, 1, 3]
    assert plain.outputs == []


# custom_backward

class CustomBackward:
    """Stands in for a custom autograd Function's node class."""


def test_custom_backward_escapes_every_tex_special_character() -> None:
    recorder = SimpleNamespace(custom_backwards={CustomBackward: "grad_out \\ {x} #$%&^~"})
    assert custom_backward(CustomBackward(), recorder) == (  # type: ignore[arg-type]
        "\\texttt{grad\\_out \\textbackslash{} \\{x\\} \\#\\$\\%\\&\\^{}\\~{}}")


def test_custom_backward_is_none_for_a_node_the_program_did_not_define() -> None:
    recorder = SimpleNamespace(custom_backwards={CustomBackward: "g"})
    empty = SimpleNamespace(custom_backwards={})
    node = (torch.ones(1, requires_grad=True) * 2).grad_fn
    assert custom_backward(node, recorder) is None  # type: ignore[arg-type]
    assert custom_backward(CustomBackward(), empty) is None  # type: ignore[arg-type]


# _too_many, _positions

def test_too_many_points_at_the_expression_that_made_the_output() -> None:
    node = (torch.ones(1, requires_grad=True) * 2).grad_fn
    attach(node, t(2.0), span=(3, 4, 3, 9))
    error = _too_many(node)
    assert isinstance(error, LimitError)
    assert (error.code, error.message, error.line, error.col) == (
        "limit_exceeded", f"the graph has more than {MAX_GRAPH_NODES} nodes", 3, 4)


def test_too_many_without_a_record_has_no_place() -> None:
    error = _too_many((torch.ones(1, requires_grad=True) * 2).grad_fn)
    assert (error.message, error.line, error.col) == (
        f"the graph has more than {MAX_GRAPH_NODES} nodes", None, None)


def test_positions_map_grad_fn_output_numbers_to_result_positions() -> None:
    a, b, c = t(1.0), t(2.0), t(3.0)
    node = (torch.ones(1, requires_grad=True) * 2).grad_fn
    produced = attach(node, a, outputs=[a, b, c], values=[a, b, c], output_nrs=[1, None, 0])
    assert _positions(produced) == {1: 0, 0: 2}  # the None result has no grad_fn output


def test_positions_are_empty_for_one_result_or_no_record() -> None:
    a = t(1.0)
    node = (torch.ones(1, requires_grad=True) * 2).grad_fn
    assert _positions(attach(node, a, outputs=[a], values=[a], output_nrs=[0])) == {}
    assert _positions(None) == {}


# _leaf_reads

def test_a_leaf_shows_the_value_the_earliest_op_read_not_the_first_walked() -> None:
    a = torch.tensor(2.0, requires_grad=True)
    y = a * 2
    z = y * a  # walked first, from the output, but ran second
    leaf = y.grad_fn.next_functions[0][0]
    attach(y.grad_fn, t(4.0), reads={id(a): t(2.0)}, seq=1)
    attach(z.grad_fn, t(8.0), reads={id(a): t(5.0)}, seq=2)
    reads = _leaf_reads(reachable(z.grad_fn))
    assert list(reads) == [leaf]
    assert torch.equal(reads[leaf], t(2.0))


def test_a_leaf_read_by_no_recorded_op_has_no_read_value() -> None:
    a = torch.tensor(2.0, requires_grad=True)
    b = torch.tensor(3.0, requires_grad=True)
    y = a * b
    z = y * 2
    attach(y.grad_fn, t(6.0), reads={id(a): t(2.0)}, seq=1)  # b's read not recorded
    # z's record is missing altogether: it reads no leaf, so nothing changes.
    reads = _leaf_reads(reachable(z.grad_fn))
    a_node = y.grad_fn.next_functions[0][0]
    assert list(reads) == [a_node]
    assert torch.equal(reads[a_node], t(2.0))


# build_graph

def tiny() -> tuple[dict[str, torch.Tensor], Names]:
    """z = y + a, y = a * c with a leaf `a` and a constant `c`, records placed by hand."""
    a = torch.tensor(2.0, requires_grad=True)
    c = torch.tensor(3.0)
    y = a * c
    z = y + a
    attach(y.grad_fn, t(6.0), span=(3, 4, 3, 9), inputs=[a, c],
           reads={id(a): t(2.0), id(c): t(3.0)}, seq=1)
    attach(z.grad_fn, t(8.0), span=(4, 4, 4, 9), inputs=[y, a], reads={id(a): t(2.0)}, seq=2)
    env = {"a": a, "c": c, "y": y, "z": z}
    return env, Names.from_env(env)


def test_build_graph_numbers_nodes_in_walk_order_from_the_output() -> None:
    env, names = tiny()
    graph = build_graph(env["z"], Recorder(), [], names)
    assert [(n.id, n.kind, n.op, n.label, n.name) for n in graph.nodes] == [
        ("n0", "op", "AddBackward0", "+", "z"),
        ("n1", "op", "MulBackward0", "×", "y"),
        ("n2", "leaf", "AccumulateGrad", "a", "a"),
        ("n3", "constant", None, "c", "c"),
    ]
    assert graph.output == "n0"
    z, y = env["z"].grad_fn, env["y"].grad_fn
    assert graph.node_of == {z: "n0", y: "n1", y.next_functions[0][0]: "n2"}


def test_build_graph_edges_join_source_to_target_at_each_input() -> None:
    env, names = tiny()
    graph = build_graph(env["z"], Recorder(), [], names)
    assert [(e.source, e.target, e.input, e.output, e.formula) for e in graph.edges] == [
        ("n1", "n0", 0, 0, "1"), ("n2", "n0", 1, 0, "1"),
        ("n2", "n1", 0, 0, "b"), ("n3", "n1", 1, 0, "a"),
    ]
    assert [n.grad_parts for n in graph.nodes] == [[], [], [1, 2], []]


def test_build_graph_makes_one_constant_node_per_tensor_and_none_for_a_number() -> None:
    a = torch.tensor(2.0, requires_grad=True)
    c = torch.tensor(3.0)
    y = a * c
    w = y * c
    z = w * 5.0  # the 5.0 is a Python number: no tensor, so no node
    attach(y.grad_fn, t(6.0), inputs=[a, c], reads={id(a): t(2.0), id(c): t(-3.0)}, seq=1)
    attach(w.grad_fn, t(18.0), inputs=[y, c], reads={id(c): t(-3.0)}, seq=2)
    attach(z.grad_fn, t(90.0), inputs=[w, None], seq=3)
    graph = build_graph(z, Recorder(), [], Names())
    constants = [n for n in graph.nodes if n.kind == "constant"]
    # Numbered after every grad_fn node; its value is the one the op read, from the record.
    assert [(n.id, n.value.item() if n.value is not None else None) for n in constants] == [
        ("n4", -3.0)]
    assert [(e.source, e.target, e.input) for e in graph.edges] == [
        ("n1", "n0", 0), ("n2", "n1", 0), ("n4", "n1", 1), ("n3", "n2", 0), ("n4", "n2", 1)]


def test_build_graph_keeps_recorded_values_after_the_program_changes_its_tensors() -> None:
    recorder = Recorder()
    a = torch.tensor(2.0, requires_grad=True)
    c = torch.tensor(3.0)
    with recorder.running():
        y = recorder.call(operator.mul, (a, c), {}, (3, 4, 3, 9))
        z = recorder.call(operator.add, (y, a), {}, (4, 4, 4, 9))
    with torch.no_grad():
        a.mul_(10.0)
        c.fill_(-1.0)
        y.fill_(0.0)
        z.fill_(0.0)
    graph = build_graph(z, recorder, [], Names.from_env({"a": a, "c": c}))
    assert [(n.op, n.value.item() if n.value is not None else None) for n in graph.nodes] == [
        ("AddBackward0", 8.0), ("MulBackward0", 6.0), ("AccumulateGrad", 2.0), (None, 3.0)]
    assert [n.span for n in graph.nodes[:2]] == [(4, 4, 4, 9), (3, 4, 3, 9)]
    assert (a.item(), c.item(), y.item(), z.item()) == (20.0, -1.0, 0.0, 0.0)


def test_build_graph_takes_gradients_from_the_last_phase() -> None:
    env, names = tiny()
    z, y = env["z"].grad_fn, env["y"].grad_fn
    old = Phase(z, (5, 0, 5, 12), by_node={y: Ran(y, (t(-1.0),), (t(-1.0), t(-1.0)))})
    arrived, to_a, to_c, local_a = t(1.0), t(3.0), t(2.0), t(3.0)
    last = Phase(z, (6, 0, 6, 12), by_node={y: Ran(y, (arrived,), (to_a, to_c),
                                                   local=(local_a, t(2.0)),
                                                   saved={"other": 3.0})})
    graph = build_graph(env["z"], Recorder(), [old, last], names)
    mul = graph.nodes[1]
    assert mul.grad is arrived
    assert mul.saved == {"other": 3.0}
    assert graph.nodes[0].grad is None  # the add did not run in the last phase
    into_mul = {e.source: e for e in graph.edges if e.target == "n1"}
    assert into_mul["n2"].grad is to_a
    assert into_mul["n2"].local is local_a
    assert (into_mul["n3"].grad, into_mul["n3"].local) == (None, None)  # a constant's edge
    assert graph.phases == [old, last]


def test_build_graph_lists_the_used_outputs_of_a_multi_output_op() -> None:
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    first, second = a.unbind()
    z = second * 3.0
    unbind = second.grad_fn
    attach(unbind, t(1.0), inputs=[a], reads={id(a): t(1.0)}, seq=1, outputs=[first, second],
           values=[t(1.0), t(2.0)], output_nrs=[0, 1])
    attach(z.grad_fn, t(6.0), inputs=[second, None], seq=2)
    graph = build_graph(z, Recorder(), [], Names.from_env({"z": z}))
    node = graph.nodes[1]
    assert (node.id, node.op) == ("n1", "UnbindBackward0")
    assert node.value is not None and node.value.item() == 1.0  # output 0's value
    assert [(o.output, o.value.item(), o.grad_index) for o in node.outputs] == [(1, 2.0, 1)]
    assert [(e.source, e.target, e.output) for e in graph.edges] == [
        ("n1", "n0", 1), ("n2", "n1", 0)]


@pytest.mark.parametrize("limit", [2, 3])
def test_build_graph_refuses_more_nodes_than_the_limit_constants_included(
        monkeypatch: pytest.MonkeyPatch, limit: int) -> None:
    # Three grad_fn nodes and one constant: over a limit of 2 by the walk, of 3 by the constant.
    monkeypatch.setattr(graph_module, "MAX_GRAPH_NODES", limit)
    env, names = tiny()
    with pytest.raises(LimitError) as caught:
        build_graph(env["z"], Recorder(), [], names)
    assert (caught.value.message, caught.value.line, caught.value.col) == (
        f"the graph has more than {limit} nodes", 4, 4)


def test_module_names_follow_named_modules_order_with_a_shared_submodule_named_once() -> None:
    shared = torch.nn.Linear(1, 1)
    model = torch.nn.Sequential(shared, torch.nn.Sequential(torch.nn.ReLU(), shared),
                                torch.nn.Tanh())
    names = Names.from_env({"model": model})
    assert [(m.name, m.type, m.parent) for m in names.modules] == [
        ("model", "Sequential", None), ("model.0", "Linear", "model"),
        ("model.1", "Sequential", "model"), ("model.1.0", "ReLU", "model.1"),
        ("model.2", "Tanh", "model")]
    assert [m.name for m in names.modules] == [
        "model" + ("." + n if n else "") for n, _ in model.named_modules()]
    assert list(names.bound) == ["model.0.weight", "model.0.bias"]


def test_modules_nested_to_the_limit_are_named_and_past_it_refused() -> None:
    model: torch.nn.Module = torch.nn.Linear(1, 1)
    for _ in range(MAX_MODULE_DEPTH - 1):
        model = torch.nn.Sequential(model)
    names = Names.from_env({"m": model})
    deepest = "m" + ".0" * (MAX_MODULE_DEPTH - 1)
    assert len(names.modules) == MAX_MODULE_DEPTH
    assert (names.modules[-1].name, names.modules[-1].parent) == (deepest, deepest[:-2])
    assert list(names.bound) == [deepest + ".weight", deepest + ".bias"]
    with pytest.raises(LimitError) as caught:
        Names.from_env({"m": torch.nn.Sequential(model)})
    assert caught.value.to_dict() == {
        "code": "limit_exceeded", "message": "modules are nested more than 100 deep",
        "line": None, "col": None}
