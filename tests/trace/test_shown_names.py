"""The names nodes are shown by (trace/shown.py): the program's variables, else the
expression an intermediate came from, else t1, t2, … in forward order; the letters each
edge stands for in its op's formulas; the numbers the program wrote; a power's label."""

from __future__ import annotations

from typing import Any

import torch

from chainrule.content.examples import EXAMPLES, SEED_SOURCE
from chainrule.pipeline import trace_to_json
from chainrule.trace.graph import GraphEdge, GraphNode
from chainrule.trace.ops import power_label
from chainrule.trace.shown import shown_names
from tests.conftest import as_tensor, strict_loads


def trace(source: str, **kwargs: Any) -> dict[str, Any]:
    return strict_loads(trace_to_json(source, **kwargs))


def shown(body: dict[str, Any]) -> dict[str, str]:
    return {n["id"]: n["shown"] for n in body["nodes"]}


def example(example_id: str) -> str:
    return next(e.source for e in EXAMPLES if e.id == example_id)


def test_the_seed_program_names_each_intermediate_after_its_expression() -> None:
    body = trace(SEED_SOURCE)
    assert [(n["label"], n["name"], n["shown"]) for n in body["nodes"]] == [
        ("Σ", "loss", "loss"),
        ("x²", None, "(y-z)**2"),
        ("−", None, "y-z"),
        ("+", "z", "z"),
        ("×", None, "w*x"),
        ("b", "b", "b"),
        ("w", "w", "w"),
        ("y", "y", "y"),
        ("x", "x", "x"),
    ]
    # The × node's value is torch's w * x under that name.
    w, x = torch.tensor(1.0), torch.tensor([1.4])
    product = next(n for n in body["nodes"] if n["shown"] == "w*x")
    assert torch.equal(as_tensor(product["value"]), torch.mul(w, x))


def test_shown_names_are_the_same_on_every_run() -> None:
    for source in (SEED_SOURCE, example("sequential-mlp"), example("three-losses")):
        assert shown(trace(source)) == shown(trace(source))


def test_numbers_the_program_wrote_keep_the_source_text() -> None:
    # 2 * x has no node for 2: it is named as written; x * x is written from x.
    assert shown(trace(example("used-twice"))) == {
        "n0": "y", "n1": "x*x", "n2": "2 * x", "n3": "x"}
    body = trace(example("requires-grad"))
    assert [n["shown"] for n in body["nodes"]] == [
        "q.sum()", "q", "3 * a ** 3", "b**2", "a**3", "b", "a"]
    assert [n["label"] for n in body["nodes"] if n["op"] == "PowBackward0"] == ["x²", "x³"]


def test_ops_inside_a_module_call_share_its_span_and_are_numbered() -> None:
    body = trace(example("sequential-mlp"))
    assert [(n["op"], n["shown"]) for n in body["nodes"] if n["kind"] == "op"] == [
        ("MseLossBackward0", "loss"),
        ("ReluBackward0", "relu(t4)"),
        ("AddmmBackward0", "t4"),
        ("ReluBackward0", "relu(t3)"),
        ("TBackward0", "t2"),
        ("AddmmBackward0", "t3"),
        ("TBackward0", "t1"),
    ]


def test_a_shown_name_never_takes_a_program_variable_or_another_nodes_name() -> None:
    # t1 is the program's: numbering skips it. Two x*x nodes (spaces aside): the first in
    # forward order keeps the name, the other is numbered.
    source = """import torch
x = torch.tensor(2.0, requires_grad=True)
t1 = torch.tensor(3.0)
loss = torch.tanh(torch.tanh(x * x + t1 * (x * x)) * 12.5)
loss.backward()
"""
    names = [n["shown"] for n in trace(source)["nodes"]]
    assert names == ["loss", "t4", "tanh(t3)", "t3", "t2", "t1*(x*x)", "x", "x*x", "t1"]
    assert len(set(names)) == len(names)


def test_each_edge_says_which_letter_of_its_ops_formulas_it_is() -> None:
    body = trace(example("broadcast-bias"))
    by_id = {n["id"]: n for n in body["nodes"]}
    letters = {(by_id[e["source"]]["shown"], by_id[e["target"]]["shown"]): e["symbol"]
               for e in body["edges"]}
    assert letters == {("out", "loss"): "a", ("X@W", "out"): "a", ("b", "out"): "b",
                       ("X", "X@W"): "A", ("W", "X@W"): "B"}
    linear = trace(example("adversarial-step"))
    addmm = next(n for n in linear["nodes"] if n["op"] == "AddmmBackward0")
    assert [e["symbol"] for e in linear["edges"] if e["target"] == addmm["id"]] == [
        "c", "A", "B"]


def test_a_number_the_program_wrote_is_given_by_its_letter() -> None:
    body = trace("""import torch
b = torch.tensor(2.0, requires_grad=True)
y = (b * 5) / 4 + 1
y.backward()
""")
    assert [(n["shown"], n["numbers"]) for n in body["nodes"]] == [
        ("y", {"b": 1}), ("(b * 5) / 4", {"b": 4}), ("b * 5", {"b": 5}), ("b", {})]


def test_power_labels_say_the_exponent() -> None:
    assert [power_label(n) for n in (2, 3, -1, 2.0, 0.5, None, 1000)] == [
        "x²", "x³", "x⁻¹", "x²", "xⁿ", "xⁿ", "xⁿ"]


def test_t_names_follow_the_forward_order_given() -> None:
    nodes = [GraphNode(f"n{i}", "op", "CloneBackward0", "clone", None, None, None, None)
             for i in range(3)]
    edges = [GraphEdge("n2", "n1", 0, None), GraphEdge("n1", "n0", 0, None)]
    assert shown_names(nodes, edges, ["n2", "n1", "n0"], "", []) == {
        "n2": "t1", "n1": "t2", "n0": "t3"}
    assert shown_names(nodes, edges, ["n2", "n1", "n0"], "", ["t2"]) == {
        "n2": "t1", "n1": "t3", "n0": "t4"}
