"""What the page says about gradients that are not one node's own: the two paths of
w * w adding up in the accumulation lesson, an op whose several outputs each have their
value and gradient (top = max(m)), and a gradient torch.autograd.grad returned instead of
storing it. Numbers are checked against the trace the page itself received."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pages import (
    backward_position,
    card_lines,
    go_to,
    node_id,
    open_example,
    open_page,
    program_path,
)
from playwright.sync_api import Page, expect

TOP = """import torch
m = torch.tensor([2.0, 5.0, -1.0], requires_grad=True)
top = max(m)
top.backward()
"""

PAIR = """import torch
v = torch.tensor([1.0, 2.0], requires_grad=True)
a, b = v.unbind()
loss = a * 3 + a * b + b * 5
loss.backward()
"""

RETURNED = """import torch
w = torch.tensor([1.0, 2.0], requires_grad=True)
loss = (w * -3 + w * w).sum()
g = torch.autograd.grad(loss, w)[0]
print(g, w.grad)
"""


def op_id(trace: dict[str, Any], op: str) -> str:
    """The id of the one node of this grad_fn."""
    ids = [n["id"] for n in trace["nodes"] if n["op"] == op]
    assert len(ids) == 1, f"{len(ids)} nodes of {op}"
    return str(ids[0])


def test_the_first_backward_call_adds_both_paths_of_w_times_w(
    page: Page, screenshot_dir: Path
) -> None:
    trace = open_page(page, "/#lesson=accumulation")
    w = node_id(trace, "w")
    go_to(page, backward_position(trace, w, phase=0))
    # While the lesson's question (w.grad after the second call) is open, w's are "?".
    assert card_lines(page) == ["∂loss/∂w = ? + ? = ?", "w.grad = ?"]
    page.locator("#question-answer").fill("8")
    page.locator("#question button[type=submit]").click()
    expect(page.locator("#question-verdict")).to_have_class("verdict is-right")

    expect(page.locator("#stepcard")).to_have_attribute("data-node", w)
    expect(page.locator("#stepcard .stepcard-sub")).to_contain_text("backward() call 1 of 2")
    lines = card_lines(page)
    assert lines[0] == "∂loss/∂w = 2.0 + 2.0 = 4.0"
    assert "2.0 + 2.0 = 4.0" in " ".join(lines)
    assert lines[-1] == "w.grad = 4.0"
    expect(page.locator(f'#graph g.node[data-node-id="{w}"] .node-acc')).to_have_text("4.0")
    page.screenshot(path=screenshot_dir / "accumulation-first-call.png")

    # The second call adds the same 4.0 into .grad.
    go_to(page, backward_position(trace, w, phase=1))
    assert card_lines(page)[-1] == "w.grad = 4.0 + 4.0 = 8.0"


def test_top_of_max_shows_its_own_value_and_gradient_on_the_unbind_card(
    page: Page, screenshot_dir: Path
) -> None:
    trace = open_page(page, program_path(TOP))
    unbind = op_id(trace, "UnbindBackward0")
    (listed,) = trace["nodes"][[n["id"] for n in trace["nodes"]].index(unbind)]["outputs"]
    assert (listed["name"], listed["value"]["data"], listed["grad"]["data"]) == ("top", 5.0, 1.0)

    card = page.locator(f'#graph g.node[data-node-id="{unbind}"]')
    # Named after the op on its input, never after the max(m) it ran inside.
    expect(card.locator(".node-title")).to_have_text("m.unbind()")
    value = card.locator('.row-value[data-output="1"]')
    grad = card.locator('.row-grad[data-output="1"]')
    expect(value.locator(".row-label")).to_have_text("top")
    expect(value.locator(".node-value")).to_have_text("5.0")
    expect(grad.locator(".row-label")).to_have_text("∂top/∂top")
    expect(grad.locator(".node-grad")).to_have_text("1.0")
    # Output 0, which the program never used, has no rows of its own.
    expect(card.locator('.row[data-output="0"]')).to_have_count(0)

    # backward() starts at top: the card says the seed is 1, the node's gradient row 1.0.
    go_to(page, len(trace["steps"]["forward"]))
    assert card_lines(page) == [
        "∂top/∂top = 1 (the seed)",
        "∂top/∂m = seed · local = [0.0, 1.0, 0.0]",
    ]
    expect(grad.locator(".node-grad")).to_have_text("1.0")
    expect(page.locator("#narration")).to_contain_text("backward() starts at top")
    page.screenshot(path=screenshot_dir / "max-builtin.png")


def test_edges_from_an_op_with_several_outputs_leave_labelled_by_their_output(
    page: Page, screenshot_dir: Path
) -> None:
    trace = open_page(page, program_path(PAIR))
    unbind = op_id(trace, "UnbindBackward0")
    edges = page.locator(f'#graph g.edge[data-source="{unbind}"]')
    expect(edges).to_have_count(4)
    labels = sorted(edges.locator("text.edge-output").all_text_contents())
    assert labels == ["a", "a", "b", "b"]
    expect(page.locator(f'#graph g.edge[data-source="{unbind}"][data-output="1"]')).to_have_count(2)
    # Every other edge carries its source's only tensor: no label.
    expect(page.locator("#graph g.edge:not([data-output]) text.edge-output")).to_have_count(0)

    # While b's two parts arrive, a's and b's running sums stay apart.
    go_to(page, len(trace["steps"]["forward"]) + 3)
    card = page.locator(f'#graph g.node[data-node-id="{unbind}"]')
    expect(card.locator('.row-grad[data-output="0"] .node-grad')).to_have_text("2.0")
    expect(card.locator('.row-grad[data-output="1"] .node-grad')).to_have_text("6.0")
    assert card_lines(page)[-2:] == [
        "running sum at a: 2.0 (1 of 2 paths)",
        "running sum at b: 5.0 + 1.0 = 6.0 (2 of 2 paths)",
    ]
    page.locator("#graph").screenshot(path=screenshot_dir / "several-outputs.png")


def test_a_gradient_torch_autograd_grad_returned_is_said_to_be_returned_not_stored(
    page: Page,
) -> None:
    trace = open_page(page, program_path(RETURNED))
    assert [p["call"] for p in trace["phases"]] == ["autograd.grad"]
    w = node_id(trace, "w")
    go_to(page, backward_position(trace, w))

    expect(page.locator("#stepcard .stepcard-sub")).to_contain_text("torch.autograd.grad() call")
    heading = page.locator("#stepcard .stepcard-heading")
    expect(heading).to_contain_text("torch.autograd.grad returns this gradient")
    expect(heading).not_to_contain_text("AccumulateGrad stores")
    lines = card_lines(page)
    assert lines[-1] == (
        "∂loss/∂w = [-1.0, 1.0] — returned by torch.autograd.grad; w.grad is not changed"
    )
    assert not any("stored" in line for line in lines)
    expect(page.locator("#narration")).to_contain_text("torch.autograd.grad returns it")

    page.locator("#jump-end").click()
    expect(page.locator("#narration")).to_contain_text("no .grad was changed")
    expect(page.locator("#narration")).not_to_contain_text(".grad holds")
    assert card_lines(page) == [
        "∂loss/∂w = [-1.0, 1.0] — returned by torch.autograd.grad; w.grad is not changed"
    ]


def test_the_seed_programs_cards_speak_in_its_own_names(page: Page, screenshot_dir: Path) -> None:
    trace = open_page(page)
    mul = op_id(trace, "MulBackward0")
    product = trace["nodes"][[n["id"] for n in trace["nodes"]].index(mul)]
    assert product["shown"] == "w*x"
    # The node is titled by the expression it came from, its label beside its grad_fn.
    card = page.locator(f'#graph g.node[data-node-id="{mul}"]')
    expect(card.locator(".node-title")).to_have_text("w*x")
    expect(card.locator(".node-op")).to_have_text("× · MulBackward0")

    # Its forward step: the formula in w and x, with their numbers; no a, b or y.
    forward = [s["node"] for s in trace["steps"]["forward"]].index(mul)
    go_to(page, forward)
    assert card_lines(page) == ["w*x = w · x = 1.0 · 1.4", "w*x = 1.4"]
    expect(page.locator("#stepcard .stepcard-heading")).to_have_text(
        "w*x: multiplication of w and x")
    expect(page.locator("#stepcard .katex").first).to_contain_text("w*x")
    page.locator("#stepcard").screenshot(path=screenshot_dir / "names-forward-card.png")

    # Its backward step: upstream times local, in the same names.
    go_to(page, backward_position(trace, mul))
    assert card_lines(page) == [
        "∂loss/∂(w*x) = ∂loss/∂z · ∂z/∂(w*x) = (-0.4)(1.0) = -0.4",
        "∂loss/∂w = ∂loss/∂(w*x) · ∂(w*x)/∂w = (-0.4)(1.4) = -0.56",
        "x is a constant: no gradient flows to it",
    ]

    # The first backward step starts from the seed, not from ∂loss/∂loss in itself.
    go_to(page, len(trace["steps"]["forward"]))
    assert card_lines(page) == [
        "∂loss/∂loss = 1 (the seed)",
        "∂loss/∂((y-z)**2) = seed · 1 = (1.0)(1.0) = 1.0",
    ]
    power = op_id(trace, "PowBackward0")
    expect(page.locator(f'#graph g.node[data-node-id="{power}"] .node-op')).to_have_text(
        "x² · PowBackward0")


def test_a_bias_broadcast_over_the_batch_says_its_gradient_is_summed_over_the_rows(
    page: Page, screenshot_dir: Path
) -> None:
    open_page(page)
    trace = open_example(page, "broadcast-bias")
    add = op_id(trace, "AddBackward0")
    forward = [s["node"] for s in trace["steps"]["forward"]].index(add)
    go_to(page, forward)
    lines = card_lines(page)
    assert lines[0] == "out = (X@W) + b"
    assert lines[2] == "X@W: 3×2, b: 2 → out: 3×2"

    go_to(page, backward_position(trace, add))
    assert card_lines(page)[-1] == (
        "∂loss/∂b = Σ over the batch (3 rows) of ∂loss/∂out · ∂out/∂b = [3.0, 3.0]")
    page.locator("#stepcard").screenshot(path=screenshot_dir / "broadcast-sum-card.png")
