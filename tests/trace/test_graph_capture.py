"""The traced graph against torch: values, gradients, fan-out sums, steps, limits."""

from __future__ import annotations

import gc
import math
from typing import Any

import pytest
import torch

from chainrule.errors import LimitError, TorchError
from chainrule.pipeline import trace_to_json
from chainrule.settings import MAX_UNTRACKED_ELEMENTS
from tests.conftest import SEED, as_tensor, node_where, nodes_where, strict_loads
from tests.wire import from_v2


def trace(source: str, **kwargs: Any) -> dict[str, Any]:
    return strict_loads(trace_to_json(source, **kwargs))


CHAIN = """import torch
x = torch.tensor(0.5, requires_grad=True)
y = x
for i in range({outer}):
    for j in range({inner}):
        y = y * 1.0001
y.backward()
"""


def test_ten_thousand_op_chain_traces_and_matches_torch() -> None:
    # In API v2's form (the page's): 8.4 MB, under the response limit; v1's is 13.7 MB.
    body = strict_loads(trace_to_json(CHAIN.format(outer=100, inner=100), api=2))
    body = from_v2(body)
    assert len(nodes_where(body, op="MulBackward0")) == 10_000
    x = torch.tensor(0.5, requires_grad=True)
    y = x
    for _ in range(10_000):
        y = y * 1.0001
    y.backward()
    assert torch.equal(as_tensor(node_where(body, name="x")["grad"]), x.grad)
    assert torch.equal(as_tensor(node_where(body, name="y")["value"]), y.detach())


def test_sixty_thousand_op_chain_is_refused_cleanly() -> None:
    with pytest.raises(LimitError) as caught:
        trace_to_json(CHAIN.format(outer=600, inner=100))
    # Said at the product that made the graph too big.
    assert caught.value.to_dict() == {"code": "limit_exceeded", "line": 6, "col": 12,
                                      "message": "the graph has more than 60000 nodes"}


def test_same_program_gives_byte_identical_json() -> None:
    assert trace_to_json(SEED) == trace_to_json(SEED)


def test_non_scalar_backward_without_gradient_suggests_a_reduction() -> None:
    source = ("import torch\nx = torch.tensor([1.0, 2.0], requires_grad=True)\ny = x * 2\n"
              "y.backward()\n")
    with pytest.raises(TorchError) as caught:
        trace_to_json(source)
    assert caught.value.message == (
        "grad can be implicitly created only for scalar outputs: this tensor has shape [2]; "
        "reduce it first with .sum() or .mean(), or pass gradient=..."
    )
    assert (caught.value.line, caught.value.col) == (4, 0)


def test_gradient_argument_is_shown_as_the_seed() -> None:
    source = ("import torch\nx = torch.tensor([1.0, 2.0], requires_grad=True)\ny = x * x\n"
              "y.backward(gradient=torch.tensor([1.0, 0.5]))\n")
    body = trace(source)
    assert body["phases"][0]["seed"]["data"] == [1.0, 0.5]
    assert node_where(body, name="x")["grad"]["data"] == [2.0, 2.0]  # 2x * seed
    assert node_where(body, op="MulBackward0")["grad"]["data"] == [1.0, 0.5]


def test_fan_out_gradients_add_up_to_the_node_gradient() -> None:
    source = ("import torch\nx = torch.tensor(3.0, requires_grad=True)\n"
              "y = torch.sin(x) * x\ny.backward()\n")
    body = trace(source)
    x = node_where(body, name="x")
    parts = [body["edges"][i] for i in x["grad_parts"]]
    assert len(parts) == 2
    total = as_tensor(parts[0]["grad"]) + as_tensor(parts[1]["grad"])
    assert torch.equal(total, as_tensor(x["grad"]))
    xt = torch.tensor(3.0, requires_grad=True)
    (torch.sin(xt) * xt).backward()
    assert torch.equal(as_tensor(x["grad"]), xt.grad)


def test_linear_layer_inner_nodes_have_values_and_module_tags() -> None:
    source = ("import torch\nimport torch.nn as nn\ntorch.manual_seed(0)\n"
              "model = nn.Sequential(nn.Linear(3, 2), nn.ReLU())\n"
              "x = torch.tensor([[1.0, -2.0, 0.5]])\nout = model(x).sum()\nout.backward()\n")
    body = trace(source)
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.ReLU())
    x = torch.tensor([[1.0, -2.0, 0.5]])
    pre = model[0](x)
    transpose = node_where(body, op="TBackward0")
    assert torch.equal(as_tensor(transpose["value"]), model[0].weight.detach().t())
    assert transpose["module"] == "model.0"
    addmm = node_where(body, op="AddmmBackward0")
    assert torch.equal(as_tensor(addmm["value"]), pre.detach())
    assert node_where(body, op="ReluBackward0")["module"] == "model.1"
    assert node_where(body, name="model.0.weight")["module"] == "model.0"
    assert body["modules"] == [
        {"name": "model", "type": "Sequential", "parent": None},
        {"name": "model.0", "type": "Linear", "parent": "model"},
        {"name": "model.1", "type": "ReLU", "parent": "model"},
    ]


def test_program_where_nothing_requires_grad_shows_its_forward_graph() -> None:
    body = trace("import torch\na = torch.tensor([1.0, 2.0])\nb = a * 3\nc = (b + a).sum()\n")
    assert all(n["grad"] is None for n in body["nodes"])
    assert body["steps"]["backward"] == []
    assert [(n["kind"], n["op"], n["name"]) for n in body["nodes"]] == [
        ("op", "aten.sum", "c"), ("op", "aten.add", None), ("op", "aten.mul", "b"),
        ("constant", None, "a")]
    a = torch.tensor([1.0, 2.0])
    assert torch.equal(as_tensor(node_where(body, name="b")["value"]), a * 3)
    assert torch.equal(as_tensor(node_where(body, name="c")["value"]), (a * 3 + a).sum())
    by_id = {n["id"]: n["op"] or n["name"] for n in body["nodes"]}
    assert sorted((by_id[e["source"]], by_id[e["target"]]) for e in body["edges"]) == [
        ("a", "aten.add"), ("a", "aten.mul"), ("aten.add", "aten.sum"), ("aten.mul", "aten.add")]


def test_backward_steps_follow_the_order_autograd_ran() -> None:
    body = trace(SEED)
    by_id = {n["id"]: n for n in body["nodes"]}
    order = [by_id[s["node"]]["op"] for s in body["steps"]["backward"]]
    seen: list[str] = []
    w = torch.tensor(1.0, requires_grad=True)
    b = torch.tensor(0.5, requires_grad=True)
    loss = (torch.tensor([2.1]) - torch.add(torch.mul(w, torch.tensor([1.4])), b)).pow(2).sum()
    stack, nodes = [loss.grad_fn], []
    while stack:
        node = stack.pop()
        if node is not None and node not in nodes:
            nodes.append(node)
            stack.extend(n for n, _ in node.next_functions)
    for node in nodes:
        node.register_hook(lambda gi, go, node=node: seen.append(type(node).__name__))
    loss.backward()
    assert order == seen


def test_forward_steps_come_in_generations() -> None:
    body = trace(SEED)
    by_id = {n["id"]: n for n in body["nodes"]}
    generations = [(s["generation"], by_id[s["node"]]["op"]) for s in body["steps"]["forward"]]
    assert [g for g in generations if g[1] is not None and g[1] != "AccumulateGrad"] == [
        (1, "MulBackward0"), (2, "AddBackward0"), (3, "SubBackward0"), (4, "PowBackward0"),
        (5, "SumBackward0"),
    ]


def test_two_backward_calls_give_two_phases_that_accumulate() -> None:
    source = ("import torch\nw = torch.tensor(2.0, requires_grad=True)\nl = w * w\n"
              "l.backward(retain_graph=True)\nl.backward()\n")
    body = trace(source)
    assert [p["index"] for p in body["phases"]] == [0, 1]
    w = node_where(body, name="w")["id"]
    leaf_steps = [s for s in body["steps"]["backward"] if s["node"] == w]
    assert [s["accumulated"]["data"] for s in leaf_steps] == [4.0, 8.0]


def test_autograd_grad_with_create_graph_shows_the_higher_order_graph() -> None:
    source = ("import torch\nx = torch.tensor(2.0, requires_grad=True)\ny = x ** 3\n"
              "g = torch.autograd.grad(y, x, create_graph=True)[0]\ng.backward()\n")
    body = trace(source)
    x = torch.tensor(2.0, requires_grad=True)
    (g,) = torch.autograd.grad(x**3, x, create_graph=True)
    g.backward()
    assert torch.equal(as_tensor(node_where(body, name="x")["grad"]), x.grad)  # 6x = 12
    assert node_where(body, name="g")["value"]["data"] == 12.0


def test_large_tensors_are_summarised_with_a_histogram() -> None:
    body = trace("import torch\nx = torch.ones(40, 40, requires_grad=True)\ny = (x * 2).sum()\n"
                 "y.backward()\n")
    x = node_where(body, name="x")
    # 1600 ones, summarised: every statistic is 1.0 and one bin of the histogram holds all.
    assert x["value"] == {"shape": [40, 40], "dtype": "float32", "data": None, "summary": {
        "min": 1.0, "max": 1.0, "mean": 1.0, "std": 0.0,
        "histogram": {"min": 1.0, "max": 1.0, "counts": [0] * 8 + [1600] + [0] * 7}}}


# Test-side reference functions: finite differences of each op at the recorded inputs.
_FUNCTIONS = {
    "SinBackward0": lambda a: torch.sin(a),
    "ExpBackward0": lambda a: torch.exp(a),
    "LogBackward0": lambda a: torch.log(a),
    "TanhBackward0": lambda a: torch.tanh(a),
    "SigmoidBackward0": lambda a: torch.sigmoid(a),
    "SqrtBackward0": lambda a: torch.sqrt(a),
}


def test_local_derivatives_pass_a_finite_difference_check_in_float64() -> None:
    source = ("import torch\nx = torch.tensor(0.7, dtype=torch.float64, requires_grad=True)\n"
              "y = torch.sqrt(torch.exp(torch.tanh(torch.sigmoid(torch.log(torch.sin(x) + 2)))))"
              "\ny.backward()\n")
    body = trace(source)
    by_id = {n["id"]: n for n in body["nodes"]}
    checked = 0
    for edge in body["edges"]:
        op = by_id[edge["target"]]["op"]
        if op not in _FUNCTIONS:
            continue
        a = as_tensor(by_id[edge["source"]]["value"])
        h = 1e-6
        numeric = (_FUNCTIONS[op](a + h) - _FUNCTIONS[op](a - h)) / (2 * h)
        assert as_tensor(edge["local"]).item() == pytest.approx(numeric.item(), rel=1e-6)
        checked += 1
    assert checked == 6


def test_leaf_value_is_the_one_the_last_graph_was_built_from() -> None:
    source = ("import torch\nw = torch.tensor(1.0, requires_grad=True)\n"
              "for i in range(3):\n    loss = (w * 2 - 5) ** 2\n    loss.backward()\n"
              "    with torch.no_grad():\n        w -= 0.1 * w.grad\n    w.grad.zero_()\n")
    body = trace(source)
    w = torch.tensor(1.0, requires_grad=True)
    used = []
    for _ in range(3):
        used.append(w.detach().clone())
        loss = (w * 2 - 5) ** 2
        loss.backward()
        with torch.no_grad():
            w -= 0.1 * w.grad
        w.grad.zero_()
    assert torch.equal(as_tensor(node_where(body, kind="leaf")["value"]), used[-1])
    assert torch.equal(as_tensor(body["variables"]["w"]["value"]), w.detach())


def test_an_expression_may_use_torch_nn_f_and_math_without_importing_them() -> None:
    body = trace("torch.relu(W @ x + b).sum() * math.pi + F.relu(b).sum()",
                 variables={"W": {"value": [[1.0, -1.0], [2.0, 0.5]], "requires_grad": True},
                            "x": {"value": [1.0, 2.0]}, "b": {"value": [0.5, -4.0]}})
    W = torch.tensor([[1.0, -1.0], [2.0, 0.5]], requires_grad=True)
    out = torch.relu(W @ torch.tensor([1.0, 2.0]) + torch.tensor([0.5, -4.0])).sum() * math.pi \
        + torch.relu(torch.tensor([0.5, -4.0])).sum()
    out.backward()
    assert torch.equal(as_tensor(node_where(body, name="W")["grad"]), W.grad)
    assert torch.equal(as_tensor(body["nodes"][0]["value"]), out.detach())


def test_a_program_without_tensors_answers_with_its_output_and_an_empty_graph() -> None:
    body = trace("words = ['emma', 'ava']\nprint(sorted(set(''.join(words))))\n")
    assert (body["nodes"], body["edges"], body["output"]) == ([], [], None)
    assert body["stdout"] == "['a', 'e', 'm', 'v']\n"


def test_plotting_calls_do_nothing_and_say_so_once_in_the_notes() -> None:
    body = trace("import torch\nimport matplotlib.pyplot as plt\nlosses = [3.0, 2.0]\n"
                 "plt.plot(losses)\nplt.plot(losses, label='again')\nplt.show()\n"
                 "x = torch.ones(1)\n")
    assert body["notes"] == [
        "plt.plot() draws nothing here: chainrule shows the autograd graph instead",
        "plt.show() draws nothing here: chainrule shows the autograd graph instead"]
    assert body["stdout"] == ""


TRAINING = """import torch
import torch.nn as nn
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
opt = torch.optim.SGD(model.parameters(), lr=0.01)
x = torch.randn(16, 4)
y = torch.randn(16, 1)
for step in range({steps}):
    opt.zero_grad()
    loss = ((model(x) - y) ** 2).mean()
    loss.backward()
    opt.step()
"""


def _records_alive(steps: int) -> tuple[int, int]:
    """Run the training loop traced; count the backward calls kept and the records of
    graph ops still alive when it ends (before the graph is built). Ops without a grad_fn
    (the detach of a ReLU's saved output) are kept apart, within their own budget."""
    from chainrule.language.interpreter import Interpreter
    from chainrule.language.parse import parse_source
    from chainrule.trace.recorder import produced_of
    from chainrule.trace.tracer import TraceSession
    from chainrule.trace.walk import reachable

    session = TraceSession()
    interpreter = Interpreter(session)
    with session.recorder.running():
        interpreter.run(parse_source(TRAINING.format(steps=steps)))
    gc.collect()
    # Every node still alive is reachable from a kept backward call or a live tensor.
    roots = [p.root for p in session.phases] + [interpreter.env["loss"].grad_fn]
    nodes = {n for root in roots for n in reachable(root)}
    alive = sum(produced_of(n) is not None for n in nodes)
    assert session.recorder._untracked_elements <= MAX_UNTRACKED_ELEMENTS
    return len(session.phases), alive


def test_a_long_training_loop_keeps_a_few_graphs_not_one_per_step() -> None:
    twenty, three_hundred = _records_alive(20), _records_alive(300)
    assert twenty == three_hundred
    assert three_hundred[0] == 5  # the last call and the four before it


CLASS_IN_A_LOOP = """import torch
import torch.nn as nn
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(2, 1)
    def forward(self, x):
        return self.fc(x).relu()
model = Net()
for step in range(3):
    loss = model(torch.ones(2)).sum()
    loss.backward()
"""


def test_nothing_of_a_program_outlives_its_trace() -> None:
    """A record of an op inside the program's own module names that module, which leads
    back to its class and the interpreter: if held strongly, inside torch's node where the
    collector cannot see it, every program with a class would stay in memory for good."""
    from chainrule.language.classes import UserClass
    from chainrule.language.interpreter import Interpreter
    from chainrule.trace.recorder import Produced

    def alive() -> int:
        gc.collect()
        return sum(isinstance(o, Interpreter | UserClass | Produced) for o in gc.get_objects())

    before = alive()
    trace_to_json(CLASS_IN_A_LOOP)
    assert alive() == before
