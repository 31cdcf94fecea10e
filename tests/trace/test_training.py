"""Every backward() of a training loop, lightly: the response's `training` against plain
torch running the same program with each call of backward() watched (the loss it
differentiated, and each parameter's gradient norm and update right after it)."""

from __future__ import annotations

import contextlib
import io
import math
from typing import Any

import pytest
import torch

from chainrule.pipeline import TraceJob, run
from chainrule.serialize import MAX_TRAINING_POINTS
from tests.conftest import strict_loads
from tests.oracle.in_process import _seed, quiet

SGD = """import torch
import torch.nn as nn
torch.manual_seed(1)
model = nn.Sequential(nn.Linear(2, 6), nn.Tanh(), nn.Linear(6, 1))
opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
X = torch.randn(16, 2)
Y = X[:, :1] - 2 * X[:, 1:]
for step in range(25):
    opt.zero_grad()
    loss = nn.functional.mse_loss(model(X), Y)
    loss.backward()
    opt.step()
"""
ADAM = SGD.replace("torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)",
                   "torch.optim.Adam(model.parameters(), lr=0.05)")
MANUAL = """import torch
w = torch.tensor([0.5, -0.3], requires_grad=True)
b = torch.tensor(0.1, requires_grad=True)
x = torch.tensor([[1.0, 2.0], [3.0, -1.0], [0.5, 0.5]])
y = torch.tensor([1.0, 2.0, 0.0])
for i in range(30):
    loss = ((x @ w + b - y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w -= 0.05 * w.grad
        b -= 0.05 * b.grad
        w.grad.zero_()
        b.grad.zero_()
"""
FORGOT_ZERO_GRAD = """import torch
import torch.nn as nn
torch.manual_seed(2)
layer = nn.Linear(3, 1)
opt = torch.optim.SGD(layer.parameters(), lr=0.01)
x = torch.randn(8, 3)
y = torch.randn(8, 1)
for i in range(15):
    loss = ((layer(x) - y) ** 2).mean()
    loss.backward()
    opt.step()
"""
PROGRAMS = {"sgd_momentum": SGD, "adam": ADAM, "manual_update": MANUAL,
            "zero_grad_forgotten": FORGOT_ZERO_GRAD}


def _plain(source: str) -> tuple[list[float], dict[str, list[float]], dict[str, list[float]]]:
    """Plain torch: per call of backward, the loss and every named leaf's .grad norm; and
    each leaf's update (how far it moved from one call to the next, or to the end)."""
    calls: list[tuple[float, dict[int, float], dict[int, torch.Tensor]]] = []
    leaves: dict[int, torch.Tensor] = {}
    original = torch.Tensor.backward

    def watched(self: torch.Tensor, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        found = [n.variable for n in _walk(self.grad_fn)]
        for leaf in found:
            leaves[id(leaf)] = leaf
        calls.append((float(self.detach().float().sum()),
                      {id(p): float(p.grad.detach().float().norm()) for p in found},
                      {id(p): p.detach().clone() for p in found}))

    names: dict[str, Any] = {}
    _seed()
    torch.Tensor.backward = watched  # type: ignore[method-assign]
    try:
        with quiet(), contextlib.redirect_stdout(io.StringIO()):
            exec(compile(source, "<program>", "exec"), names)  # noqa: S102 - the tests' text
    finally:
        torch.Tensor.backward = original  # type: ignore[method-assign]
    named = {name: t for name, t in names.items() if isinstance(t, torch.Tensor)}
    for name, module in names.items():
        if isinstance(module, torch.nn.Module):
            named.update({f"{name}.{k}": p for k, p in module.named_parameters()})
    norms = {name: [c[1][id(t)] for c in calls] for name, t in named.items() if id(t) in leaves}
    updates: dict[str, list[float]] = {}
    for name, t in named.items():
        if id(t) in leaves:
            after = [c[2][id(t)] for c in calls[1:]] + [t.detach()]
            updates[name] = [float((a - c[2][id(t)]).norm()) for a, c in zip(after, calls,
                                                                            strict=True)]
    return [c[0] for c in calls], norms, updates


def _walk(root: Any) -> list[Any]:
    seen, stack, leaves = set(), [root], []
    while stack:
        node = stack.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        if type(node).__name__ == "AccumulateGrad":
            leaves.append(node)
        stack.extend(n for n, _ in node.next_functions)
    return leaves


def _traced(source: str, call: int | None = None) -> dict[str, Any]:
    _seed()
    with quiet():
        body: dict[str, Any] = strict_loads(run(TraceJob(source, call=call)))
    return body


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_every_calls_loss_gradient_norms_and_updates_are_torchs(name: str) -> None:
    losses, norms, updates = _plain(PROGRAMS[name])
    training = _traced(PROGRAMS[name])["training"]
    assert training["calls"] == len(losses)
    assert training["iterations"] == list(range(len(losses)))
    assert training["loss"] == losses
    series = {s["name"]: s for s in training["series"]}
    assert sorted(series) == sorted(norms)
    for leaf, expected in norms.items():
        assert series[leaf]["grad_norm"] == expected, leaf
        assert series[leaf]["update"] == updates[leaf], leaf


def test_the_asked_call_is_the_graph_shown() -> None:
    losses, _, _ = _plain(SGD)
    body = _traced(SGD, call=7)
    assert body["training"]["shown_call"] == 7
    out = next(n for n in body["nodes"] if n["id"] == body["output"])
    assert torch.tensor(out["value"]["data"], dtype=torch.float32).item() == losses[7]
    assert len(body["phases"]) == 1


def test_a_call_past_the_last_is_a_clear_error() -> None:
    from chainrule.errors import OutputError

    with pytest.raises(OutputError, match="called backward 30 times: there is no call 30"):
        run(TraceJob(MANUAL, call=30))


def test_a_long_loop_lists_at_most_the_bound_with_the_last_call_in() -> None:
    loop = MANUAL.replace("range(30)", f"range({MAX_TRAINING_POINTS + 500})")
    training = _traced(loop)["training"]
    assert training["calls"] == MAX_TRAINING_POINTS + 500
    assert len(training["iterations"]) == MAX_TRAINING_POINTS
    assert training["iterations"][0] == 0
    assert training["iterations"][-1] == MAX_TRAINING_POINTS + 499
    assert len(training["loss"]) == MAX_TRAINING_POINTS


def test_a_program_without_backward_has_no_training() -> None:
    assert _traced("import torch\nx = torch.ones(2) * 3\n")["training"] is None


def test_a_diverging_learning_rate_is_diagnosed() -> None:
    body = _traced(MANUAL.replace("0.05 *", "0.9 *"))
    kinds = [d["kind"] for d in body["training"]["diagnoses"]]
    assert "loss_rising" in kinds or "non_finite" in kinds
    assert all(isinstance(x, float) and math.isfinite(x) or x is None
               for x in body["training"]["loss"])
