"""The training tab: every call of backward() charted, a call picked and its graph shown,
and the diagnoses of a run with dead ReLUs and of a deep sigmoid network."""

from __future__ import annotations

import re
from typing import Any

import torch
from pages import (
    TRACE_ROUTE,
    TRACE_TIMEOUT_MS,
    losses_in_torch,
    open_page,
    program_path,
    traced,
    wait_done,
)
from playwright.sync_api import Page, expect

from chainrule.settings import PROGRAM_SEED

SGD = """import torch
import torch.nn as nn
torch.manual_seed(1)
model = nn.Sequential(nn.Linear(2, 6), nn.Tanh(), nn.Linear(6, 1))
opt = torch.optim.SGD(model.parameters(), lr=0.1)
X = torch.randn(16, 2)
Y = X[:, :1] - 2 * X[:, 1:]
for step in range(25):
    opt.zero_grad()
    loss = nn.functional.mse_loss(model(X), Y)
    loss.backward()
    opt.step()
"""
DEAD_RELUS = """import torch
import torch.nn as nn
torch.manual_seed(3)
model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 1))
with torch.no_grad():
    model[0].bias.fill_(-10.0)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
X = torch.randn(16, 2)
Y = X.sum(dim=1, keepdim=True)
for step in range(50):
    opt.zero_grad()
    loss = nn.functional.mse_loss(model(X), Y)
    loss.backward()
    opt.step()
"""
DEEP_SIGMOID = """import torch
import torch.nn as nn
torch.manual_seed(4)
layers = []
for i in range(10):
    layers.append(nn.Linear(8, 8))
    layers.append(nn.Sigmoid())
model = nn.Sequential(*layers, nn.Linear(8, 1))
X = torch.randn(32, 8)
Y = torch.randn(32, 1)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
for step in range(5):
    opt.zero_grad()
    loss = nn.functional.mse_loss(model(X), Y)
    loss.backward()
    opt.step()
"""


def open_training(page: Page, source: str) -> dict[str, Any]:
    trace = open_page(page, program_path(source))
    expect(page.locator("#tab-training")).to_be_visible()
    page.locator("#tab-training").click()
    expect(page.locator("#panel-training")).to_be_visible()
    return trace


def test_the_charts_hold_every_call_and_a_picked_calls_graph_is_shown(
        page: Page, screenshot_dir: Any) -> None:
    losses = losses_in_torch(SGD)
    trace = open_training(page, SGD)
    assert trace["training"]["loss"] == losses
    loss_line = page.locator("#training-loss path.training-line")
    expect(loss_line).to_have_attribute("data-points", "25")
    grads = page.locator("#training-grads path.training-line")
    expect(grads).to_have_count(2)
    assert grads.evaluate_all("ps => ps.map(p => p.dataset.name)") == [
        "model.0.weight", "model.2.weight"]
    expect(page.locator("#training-shown")).to_have_text("The graph shows call 25.")

    page.locator("#training-call").fill("7")
    expect(page.locator("#training-call-label")).to_have_text(
        f"call 8 of 25: loss {losses[7]:.4g}".replace("e-0", "e-"))
    with page.expect_response(TRACE_ROUTE, timeout=TRACE_TIMEOUT_MS) as answer:
        page.locator("#training-show").click()
    wait_done(page)
    shown = traced(answer.value)
    assert shown["training"]["shown_call"] == 7
    output = next(n for n in shown["nodes"] if n["id"] == shown["output"])
    assert torch.tensor(output["value"]["data"], dtype=torch.float32).item() == losses[7]
    expect(page.locator("#training-shown")).to_have_text("The graph shows call 8.")
    page.screenshot(path=screenshot_dir / "training-panel.png")


def test_dead_relus_are_diagnosed_and_lead_to_their_layer(page: Page) -> None:
    trace = open_training(page, DEAD_RELUS)
    dead = page.locator("#diagnoses li[data-kind=dead_units]")
    expect(dead).to_have_count(1)
    expect(dead).to_contain_text("8 of 8 units of model.0")
    dead.locator("button").click()
    weight = next(n["id"] for n in trace["nodes"] if n["name"] == "model.0.weight")
    expect(page.locator(f'#graph g.node[data-node-id="{weight}"]')).to_have_class(
        re.compile(r"\bis-selected\b"))


def test_a_deep_sigmoid_networks_gradient_is_diagnosed_as_vanishing(page: Page) -> None:
    open_training(page, DEEP_SIGMOID)
    vanishing = page.locator("#diagnoses li[data-kind=vanishing]")
    expect(vanishing).to_have_count(1)
    expect(vanishing).to_contain_text("model.0.weight's gradient norm")


def test_predict_mode_hides_the_training_tab(page: Page) -> None:
    open_training(page, SGD)
    page.locator("#predict-toggle").click()
    expect(page.locator("#tab-training")).to_be_hidden()
    expect(page.locator("#panel-training")).to_be_hidden()


def test_the_gradient_descent_lesson_charts_its_steps_once_its_question_is_answered(
        page: Page) -> None:
    """The lesson asks for dL/dw at the last step: the chart (which holds it) waits for the
    answer, as every number the question would give away does."""
    trace = open_page(page, "/#lesson=gradient-descent")
    expect(page.locator("#tab-training")).to_be_hidden()
    w = next(n for n in trace["nodes"] if n["name"] == "w")
    page.locator("#question-answer").fill(str(w["grad"]["data"]))
    page.locator("#question-answer").press("Enter")
    expect(page.locator("#tab-training")).to_be_visible()
    page.locator("#tab-training").click()
    expect(page.locator("#panel-training")).to_have_attribute("data-calls", "5")
    expect(page.locator("#training-loss path.training-line")).to_have_attribute(
        "data-points", "5")
    assert trace["training"]["calls"] == 5


def loss_lesson_in_torch() -> tuple[list[float], torch.Tensor]:
    """Lesson 8's loop in plain torch (MSE, the outlier first): every call's loss, and
    dL/dpred at the last call."""
    torch.manual_seed(PROGRAM_SEED)  # as the server seeds every program
    x = torch.tensor([-2.0, -1.0, 0.0, 1.0, 2.0])
    y = torch.tensor([5.0, -1.0, 1.0, 3.0, 5.0])
    w = torch.tensor(0.0, requires_grad=True)
    b = torch.tensor(0.0, requires_grad=True)
    opt = torch.optim.SGD([w, b], lr=0.2)
    losses = []
    for _ in range(40):
        opt.zero_grad()
        pred = w * x + b
        pred.retain_grad()
        loss = torch.nn.MSELoss()(pred, y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert pred.grad is not None
    return losses, pred.grad


def test_the_loss_lesson_opens_its_training_once_its_question_is_answered(page: Page) -> None:
    """Lesson 8 asks for the outlier's dL/dpred at the last step: the Training tab (which
    would tell it) and the lesson's button to it wait for the answer; then every call's
    loss is charted, the last one torch's."""
    losses, pred_grad = loss_lesson_in_torch()
    trace = open_page(page, "/#lesson=losses")
    expect(page.locator("#lesson")).to_have_attribute("data-lesson", "losses")
    expect(page.locator("#tab-training")).to_be_hidden()
    expect(page.locator("#lesson-training")).to_be_hidden()
    pred = next(n for n in trace["nodes"] if n["name"] == "pred")
    assert torch.equal(torch.tensor(pred["grad"]["data"], dtype=torch.float32), pred_grad)
    assert trace["training"]["calls"] == 40
    assert trace["training"]["loss"] == losses

    page.locator("#question-answer").fill(f"{pred_grad[0].item():.3g}")
    page.locator("#question-answer").press("Enter")
    expect(page.locator("#question-verdict")).to_have_class(re.compile(r"\bis-right\b"))
    expect(page.locator("#tab-training")).to_be_visible()
    page.locator("#lesson-training").click()
    expect(page.locator("#tab-training")).to_have_attribute("aria-selected", "true")
    expect(page.locator("#panel-training")).to_be_visible()
    expect(page.locator("#panel-training")).to_have_attribute("data-calls", "40")
    expect(page.locator("#training-loss path.training-line")).to_have_attribute(
        "data-points", "40")
    # The page writes a loss with toPrecision(4): "#" keeps its trailing zeros too.
    expect(page.locator("#training-call-label")).to_have_text(
        f"call 40 of 40: loss {losses[-1]:#.4g}")
    expect(page.locator("#training-grads path.training-line")).to_have_count(2)
