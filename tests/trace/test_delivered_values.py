"""Each number shown is the one autograd computed, when it computed it (issue 12's cases).

Each test states the exact numbers a student must see, and compares them with plain
CPython + torch run in another process (tests/oracle/plain_torch.py).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from typing import Any

import pytest
import torch

from chainrule.content.lessons import LESSONS
from chainrule.pipeline import trace_to_json
from tests.conftest import as_tensor, node_where, strict_loads
from tests.oracle import run_plain, same


def trace(source: str, **kwargs: Any) -> dict[str, Any]:
    return strict_loads(trace_to_json(source, **kwargs))


def data(payload: dict[str, Any] | None) -> Any:
    return None if payload is None else payload["data"]


def steps_of(body: dict[str, Any], node_id: str) -> list[dict[str, Any]]:
    return [s for s in body["steps"]["backward"] if s["node"] == node_id]


def oracle_steps(source: str) -> list[list[dict[str, Any]]]:
    record = run_plain({"p": source})["p"]
    assert record["error"] is None
    return [phase["steps"] for phase in record["graph"]["phases"]]


ACCUMULATION = next(lesson for lesson in LESSONS if lesson.id == "accumulation").source


def test_accumulation_lesson_shows_each_call_as_it_was_delivered() -> None:
    body = trace(ACCUMULATION)
    w = node_where(body, name="w")
    first, second = steps_of(body, w["id"])
    # w = 2: each of the two paths of w * w sends 2.0; they add up to 4.0 in both calls,
    # and .grad holds 4.0 after the first call and 8.0 after the second, though the
    # program zeroes .grad at the end.
    assert [data(s["grad"]) for s in (first, second)] == [4.0, 4.0]
    assert [data(s["accumulated"]) for s in (first, second)] == [4.0, 8.0]
    loss = node_where(body, name="loss")
    assert [[data(g) for g in s["sends"]] for s in steps_of(body, loss["id"])] == \
        [[2.0, 2.0], [2.0, 2.0]]
    assert body["variables"]["w"]["grad"]["data"] == 0.0  # .grad as the program left it
    real = oracle_steps(ACCUMULATION)
    for phase, step in zip(real, (first, second), strict=True):
        leaf = next(s for s in phase if s["node"] == int(w["id"][1:]))
        same(step["grad"], leaf["go"][0], "grad")
        same(step["accumulated"], leaf["accumulated"], "accumulated")


@pytest.mark.parametrize("change", ["w.grad.mul_(10)", "w.grad.zero_()", "w.grad.clamp_(max=1)",
                                    "w.grad.data.add_(5)"])
def test_changing_grad_in_place_after_backward_leaves_the_graph_as_delivered(
        change: str) -> None:
    source = (f"import torch\nw = torch.tensor([1.0, 2.0], requires_grad=True)\n"
              f"loss = (w * w).sum()\nloss.backward()\n{change}\n")
    body = trace(source)
    w = node_where(body, name="w")
    assert data(w["grad"]) == [2.0, 4.0]
    (step,) = steps_of(body, w["id"])
    assert data(step["grad"]) == [2.0, 4.0] and data(step["accumulated"]) == [2.0, 4.0]
    (phase,) = oracle_steps(source)
    same(step["grad"], next(s for s in phase if s["node"] == int(w["id"][1:]))["go"][0], "")


def test_max_of_a_tensor_shows_the_row_it_picked() -> None:
    source = ("import torch\nm = torch.tensor([2., 5., -1.], requires_grad=True)\n"
              "top = max(m)\ntop.backward()\n")
    body = trace(source)
    unbind = node_where(body, op="UnbindBackward0")
    assert unbind["name"] is None  # output 0 (the row 2.0) has no name
    (top,) = unbind["outputs"]
    assert (top["output"], top["name"], data(top["value"]), data(top["grad"])) == \
        (1, "top", 5.0, 1.0)
    assert data(node_where(body, name="m")["grad"]) == [0.0, 1.0, 0.0]
    (step,) = steps_of(body, unbind["id"])
    assert [(o["output"], data(o["grad"])) for o in step["outputs"]] == [(1, 1.0)]
    record = run_plain({"p": source})["p"]["graph"]
    same(top["value"], record["nodes"][int(unbind["id"][1:])]["results"][1][0], "top")


def test_split_shows_each_part_and_the_gradient_through_the_one_used() -> None:
    source = ("import torch\nc = torch.tensor([1., 2., 3.], requires_grad=True)\n"
              "p, q = torch.split(c, [1, 2])\nloss = (q * 2).sum()\nloss.backward()\n")
    body = trace(source)
    split = node_where(body, op="SplitWithSizesBackward0")
    assert [(o["output"], o["name"], data(o["value"]), data(o["grad"]))
            for o in split["outputs"]] == [(0, "p", [1.0], None), (1, "q", [2.0, 3.0], [2.0, 2.0])]
    edge = next(e for e in body["edges"] if e["source"] == split["id"])
    assert edge["output"] == 1
    assert data(node_where(body, name="c")["grad"]) == [0.0, 2.0, 2.0]


def test_torch_max_with_dim_lists_values_and_indices() -> None:
    source = ("import torch\nx = torch.tensor([[1., 3.], [4., 2.]], requires_grad=True)\n"
              "v, i = torch.max(x, 1)\nv.sum().backward()\n")
    body = trace(source)
    top = node_where(body, op="MaxBackward0")
    assert [(o["name"], data(o["value"]), data(o["grad"]), o["differentiable"])
            for o in top["outputs"]] == [("v", [3.0, 4.0], [1.0, 1.0], True),
                                         ("i", [1, 0], None, False)]


def test_autograd_grad_shows_the_gradient_it_returned_at_the_leaf() -> None:
    source = ("import torch\nw = torch.tensor([1., 2.], requires_grad=True)\n"
              "loss = (-1.5 * w * w).sum()\ng = torch.autograd.grad(loss, w)[0]\nprint(g)\n")
    body = trace(source)
    w = node_where(body, name="w")
    assert data(w["grad"]) == [-3.0, -6.0]
    (step,) = steps_of(body, w["id"])
    assert step["returned"] is True and step["accumulated"] is None
    assert data(step["grad"]) == [-3.0, -6.0]
    assert body["phases"][0]["call"] == "autograd.grad"
    assert body["variables"]["w"]["grad"] is None  # torch leaves .grad alone
    assert data(body["variables"]["g"]["value"]) == [-3.0, -6.0]
    (phase,) = oracle_steps(source)
    real = next(s for s in phase if s["node"] == int(w["id"][1:]))
    assert real["returned"] is True
    same(step["grad"], real["go"][0], "returned")


def test_a_leaf_updated_through_data_shows_the_value_the_graph_read() -> None:
    source = ("import torch\nw = torch.tensor(1.0, requires_grad=True)\n"
              "x = torch.tensor(2.0)\nfor step in range(2):\n"
              "    loss = (w * x - 1) ** 2\n    loss.backward()\n"
              "    w.data -= 0.1 * w.grad.data\n    w.grad.data.zero_()\n")
    body = trace(source)
    # The first step moved w from 1.0 to 0.6 (gradient 4.0); the graph shown (the second
    # loop's) read 0.6, and w ended at 0.6 - 0.1 * 0.8 = 0.52.
    assert data(node_where(body, name="w")["value"]) == pytest.approx(0.6)
    assert data(body["variables"]["w"]["value"]) == pytest.approx(0.52)
    record = run_plain({"p": source})["p"]["graph"]
    w = node_where(body, name="w")
    same(w["value"], record["nodes"][int(w["id"][1:])]["leaf_value"], "w as read")


def test_boolean_list_variables_are_bool_tensors_as_in_torch() -> None:
    body = trace("m.logical_not()", variables={"m": {"value": [True, False, True]}})
    m = body["variables"]["m"]["value"]
    plain = subprocess.run(
        [sys.executable, "-c", "import torch, json; t = torch.tensor([True, False, True]); "
         "print(json.dumps([str(t.dtype), t.tolist(), t.logical_not().tolist()]))"],
        capture_output=True, text=True, check=True)
    assert ("torch." + m["dtype"], m["data"], data(body["nodes"][0]["value"])) == \
        tuple(json.loads(plain.stdout))
    # Numbers mixed in make a float32 tensor, chainrule's rule for every other variable.
    mixed = trace("m * 1", variables={"m": {"value": [[True], [2]]}})
    assert mixed["variables"]["m"]["value"]["dtype"] == "float32"


def test_printed_objects_show_stable_addresses() -> None:
    source = ("import torch\nx = torch.tensor(1.0, requires_grad=True)\ny = x * 2\n"
              "print(y.grad_fn)\nprint(y.grad_fn.next_functions)\ns = str(y.grad_fn)\n"
              "print(f'{s}')\n")
    first = trace_to_json(source)
    assert trace_to_json(source) == first
    assert strict_loads(first)["stdout"] == (
        "<MulBackward0 object at 0x000000000001>\n"
        "((<AccumulateGrad object at 0x000000000002>, 0), (None, 0))\n"
        "<MulBackward0 object at 0x000000000001>\n")


RANDOM = "import torch\nw = torch.randn(3)\nprint(w.tolist())\n"
SEEDED_ELSEWHERE = "import torch\ntorch.manual_seed(1234)\nz = torch.rand(5)\nprint(z.tolist())\n"


def test_every_program_starts_from_the_documented_random_state() -> None:
    seeded_elsewhere = trace(SEEDED_ELSEWHERE)
    body = trace(RANDOM)
    assert trace(RANDOM) == body
    # torch.manual_seed(0), each in a fresh process: what the programs print is every bit
    # of what they drew.
    records = run_plain({"seeded": SEEDED_ELSEWHERE, "random": RANDOM})
    for shown, record in ((seeded_elsewhere, records["seeded"]), (body, records["random"])):
        assert shown["stdout"] == record["stdout"]
        (value,) = [v["value"] for v in shown["variables"].values()]
        assert torch.equal(as_tensor(value), torch.tensor(ast.literal_eval(record["stdout"])))
