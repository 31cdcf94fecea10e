"""The gradient check: autograd's numbers against central differences in float64."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from chainrule.pipeline import trace_to_json
from tests.conftest import SEED, strict_loads
from tests.language.corpus import CORPUS


def check(source: str) -> dict:
    return strict_loads(trace_to_json(source, check=True))["check"]


def test_seed_gradients_agree_with_finite_differences() -> None:
    result = check(SEED)
    assert result["error"] is None
    by_name = {leaf["name"]: leaf for leaf in result["leaves"]}
    assert sorted(by_name) == ["b", "w"]
    assert by_name["w"]["numeric"][0] == pytest.approx(-0.56, rel=1e-6)
    assert by_name["b"]["numeric"][0] == pytest.approx(-0.4, rel=1e-6)
    assert by_name["w"]["max_rel_error"] < 1e-6


def test_linear_layers_and_random_inputs_are_checked_on_the_same_function() -> None:
    source = ("import torch\nimport torch.nn as nn\ntorch.manual_seed(0)\n"
              "model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))\n"
              "x = torch.randn(5, 3)\nloss = model(x).pow(2).mean()\nloss.backward()\n")
    result = check(source)
    names = {leaf["name"] for leaf in result["leaves"]}
    assert names == {"model.0.weight", "model.0.bias", "model.2.weight", "model.2.bias"}
    for leaf in result["leaves"]:
        assert leaf["max_rel_error"] < 1e-4, leaf  # float32 autograd against float64
        assert len(leaf["numeric"]) == min(leaf["elements"], 16)


def test_detach_is_kept_in_the_replay() -> None:
    # detach() cuts the path: autograd says 3, and the finite differences, replaying the
    # recorded ops, keep the cut (the function itself has slope 3 + 5).
    source = ("import torch\nw = torch.tensor(2.0, requires_grad=True)\n"
              "y = w * 3 + (w * 5).detach()\ny.backward()\n")
    result = check(source)
    (leaf,) = result["leaves"]
    assert leaf["analytic"] == [3.0]
    assert leaf["numeric"][0] == pytest.approx(3.0, rel=1e-6)
    assert leaf["max_rel_error"] < 1e-6


def test_check_without_backward_says_why() -> None:
    result = check("import torch\nx = torch.tensor(2.0, requires_grad=True)\ny = x * 2\n")
    assert result == {"step": 1e-06, "error": "no backward pass ran through this graph",
                      "leaves": []}


def test_check_is_absent_unless_asked() -> None:
    assert strict_loads(trace_to_json(SEED))["check"] is None


# At a kink (relu at 0, abs at 0, a max with ties) autograd picks one side's slope and
# central differences average both: there the two are expected to differ.
KINKS = ("relu", "ReLU", "abs", "clamp", "max", "min", "sign", "L1", "l1_", "Huber",
         "huber", "smooth_l1", "SmoothL1", "where", "round", "floor")


@pytest.mark.parametrize("name", sorted(n for n, s in CORPUS.items()
                                        if ".backward(" in s and "autograd.grad" not in s))
def test_every_corpus_program_passes_the_gradient_check(name: str) -> None:
    source = CORPUS[name]
    result = check(source)
    assert result["error"] is None  # each of these programs gives some leaf a gradient
    assert result["leaves"]
    for leaf in result["leaves"]:
        assert len(leaf["numeric"]) == len(leaf["analytic"]) == min(leaf["elements"], 16)
        if not any(kink in source for kink in KINKS):
            assert leaf["max_rel_error"] < 1e-3, (name, leaf)


def test_each_checked_element_says_its_index_and_its_own_relative_error() -> None:
    # Element i of `analytic` is autograd's gradient at indices[i]: plain torch says so.
    source = ("import torch\nimport torch.nn as nn\ntorch.manual_seed(0)\n"
              "model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))\n"
              "x = torch.randn(5, 3)\nloss = model(x).pow(2).mean()\nloss.backward()\n")
    result = check(source)
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    x = torch.randn(5, 3)
    model(x).pow(2).mean().backward()
    grads = dict(model.named_parameters())
    leaves = {leaf["name"]: leaf for leaf in result["leaves"]}
    weight = leaves["model.2.weight"]
    assert weight["indices"] == [[0, 0], [0, 1], [0, 2], [0, 3], [1, 0], [1, 1], [1, 2],
                                 [1, 3]]
    expected = grads["2.weight"].grad
    assert expected is not None
    assert weight["analytic"] == [float(expected[i, j]) for i, j in weight["indices"]]
    bias = leaves["model.2.bias"]
    assert bias["indices"] == [[0], [1]]
    for leaf in result["leaves"]:
        assert len(leaf["rel_errors"]) == len(leaf["analytic"])
        assert max(leaf["rel_errors"]) == leaf["max_rel_error"]


def test_a_zero_dimensional_leaf_is_checked_at_the_empty_index() -> None:
    result = check(SEED)
    assert {leaf["name"]: leaf["indices"] for leaf in result["leaves"]} == {
        "w": [[]], "b": [[]]}


def test_an_output_upstream_of_the_loss_checks_its_leaves_against_the_loss() -> None:
    # The graph shown is y's; backward ran from z downstream of it, and every gradient
    # on the graph is dz/d(that tensor): the check differentiates z, as torch does.
    source = ("import torch\nw = torch.tensor([2.0, 1.0], requires_grad=True)\n"
              "y = w * 3\nz = (y * y * w).sum()\nz.backward()\n")
    result = strict_loads(trace_to_json(source, output="y", check=True))["check"]
    w = torch.tensor([2.0, 1.0], dtype=torch.float64, requires_grad=True)
    (expected,) = torch.autograd.grad(((w * 3) * (w * 3) * w).sum(), w)

    def z_at(v: torch.Tensor) -> float:
        return float(((v * 3) * (v * 3) * v).sum())

    h = 1e-6
    numeric = [(z_at(w.detach() + h * e) - z_at(w.detach() - h * e)) / (2 * h)
               for e in torch.eye(2, dtype=torch.float64)]
    (leaf,) = result["leaves"]
    assert (result["error"], leaf["name"], leaf["elements"]) == (None, "w", 2)
    assert leaf["analytic"] == expected.tolist() == [108.0, 27.0]
    assert leaf["numeric"] == pytest.approx(numeric, rel=1e-12)
    assert leaf["max_rel_error"] < 1e-8


def test_an_output_upstream_of_the_loss_with_one_leaf_checks_that_leaf() -> None:
    source = ("import torch\nw = torch.tensor(2.0, requires_grad=True)\ny = w * 3\n"
              "z = y * y\nz.backward()\n")
    result = strict_loads(trace_to_json(source, output="y", check=True))["check"]
    (leaf,) = result["leaves"]
    assert (result["error"], leaf["name"], leaf["analytic"]) == (None, "w", [36.0])
    assert leaf["numeric"][0] == pytest.approx(36.0, rel=1e-9)
