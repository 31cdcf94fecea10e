"""The classroom tools: predict-then-reveal with its score, the gradient check against
finite differences, and presenter mode restored from a lesson link. Every number the page
is checked against comes from the trace the page itself received."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pages import (
    TRACE_ROUTE,
    TRACE_TIMEOUT_MS,
    backward_position,
    card_lines,
    expect_position,
    node_id,
    open_page,
    pause_position,
    program_path,
)
from playwright.sync_api import Page, expect

LESSON = "backward-and-grad"  # the seed program, as lesson 2


def backward_grad(trace: dict[str, Any], position: int) -> float:
    """The first element of the gradient arriving at a backward step."""
    data = trace["steps"]["backward"][position - len(trace["steps"]["forward"])]["grad"]["data"]
    while isinstance(data, list):
        data = data[0]
    return float(data)


def test_predict_hides_the_gradient_then_reveals_and_marks_it(
    page: Page, screenshot_dir: Path
) -> None:
    trace = open_page(page, f"/#lesson={LESSON}")
    expect_position(page, 0)  # a lesson opens at the start of the forward pass
    w = node_id(trace, "w")
    at_w = backward_position(trace, w)
    page.locator("#predict-toggle").click()
    expect(page.locator("#predict-toggle")).to_have_attribute("aria-pressed", "true")

    # Every step before the one before w's (×) given up: "Reveal" shows torch's number.
    while True:
        page.locator("#jump-end").click()  # no further than the first step owed
        if page.locator("body").get_attribute("data-step") == str(at_w - 1):
            break
        page.locator("#predict-reveal").click()
        expect(page.locator("#predict-verdict")).to_contain_text("Revealed: torch says")

    # ×: its gradient is "?" on the card, the node and the narration until predicted.
    expect(page.locator("#predict-label")).to_have_text(
        re.compile(r"^What is ∂loss/∂.+\? Work it out, then check\.$")
    )
    assert card_lines(page)[0].endswith("= (-0.4)(1.0) = ?")
    expect(page.locator("#narration")).to_contain_text("what is ∂loss/∂")
    current = page.locator("#graph").get_attribute("data-current")
    expect(page.locator(f'#graph g.node[data-node-id="{current}"] .node-grad')).to_have_text("?")
    expected_mul = backward_grad(trace, at_w - 1)
    assert round(expected_mul, 4) == -0.4
    page.locator("#predict-input").fill("0.4")  # the sign forgotten: a hint, a second try
    page.locator("#predict-submit").click()
    expect(page.locator("#predict-hint")).to_contain_text("(-0.4) × 1.0")
    page.locator("#predict-input").fill("-0.4")
    page.keyboard.press("Enter")
    expect(page.locator("#predict-verdict")).to_have_class("verdict is-right")
    expect(page.locator("#predict-verdict")).to_have_text("✓ Right: -0.4 (torch: -0.4)")
    assert card_lines(page)[0].endswith("= (-0.4)(1.0) = -0.4")

    # w's step: the lesson's question asks for ∂loss/∂w, so predict mode leaves it to the
    # lesson, and the number stays concealed until the question is answered.
    page.locator("#step-next").click()
    expect_position(page, at_w)
    expect(page.locator("#predict .predict-ask")).to_be_hidden()
    assert "w.grad = ?" in card_lines(page)
    expected_w = backward_grad(trace, at_w)
    assert round(expected_w, 2) == -0.56
    page.locator("#question-answer").fill("-0.562")
    page.locator("#question button[type=submit]").click()
    expect(page.locator("#question-verdict")).to_have_class("verdict is-right")
    assert "w.grad = -0.56" in card_lines(page)

    # The lesson's score counts the predictions and the question: 2 right out of 11.
    expect(page.locator("#lesson-score")).to_have_text("Score 2 / 11")
    page.screenshot(path=screenshot_dir / "predict-reveal.png")

    # Going back to an answered step shows its verdict, not the question again.
    page.locator("#step-back").click()
    expect(page.locator("#predict-verdict")).to_have_class("verdict is-right")
    expect(page.locator("#predict .predict-ask")).to_be_hidden()


def test_check_gradients_shows_autograd_beside_finite_differences(
    page: Page, screenshot_dir: Path
) -> None:
    open_page(page)
    with page.expect_response(TRACE_ROUTE, timeout=TRACE_TIMEOUT_MS) as answer:
        page.locator("#check").click()
    assert answer.value.request.post_data_json["check"] is True
    check = answer.value.json()["check"]
    assert check["error"] is None

    # One row per element compared; the seed's leaves are 0-d: one row each, by name.
    rows = page.locator("#check-panel .check-table tbody tr")
    expect(rows).to_have_count(sum(len(leaf["analytic"]) for leaf in check["leaves"]))
    for leaf in check["leaves"]:
        assert leaf["indices"] == [[]]
        cells = page.locator(f'#check-panel tr[data-node="{leaf["node"]}"] td')
        texts = cells.all_inner_texts()
        assert texts[0] == leaf["name"]
        assert float(texts[1]) == round(leaf["analytic"][0], 2)
        assert float(texts[2]) == round(leaf["numeric"][0], 2)
        assert float(texts[3]) == float(f"{leaf['rel_errors'][0]:.1e}")
        assert texts[4] == "✓"
    w = next(leaf["node"] for leaf in check["leaves"] if leaf["name"] == "w")
    w_cells = page.locator(f'#check-panel tr[data-node="{w}"] td').all_inner_texts()
    assert w_cells[1:3] == ["-0.56", "-0.56"]  # the chapter's dL/dw, both ways
    expect(page.locator("#check-panel")).to_contain_text("At a kink (ReLU at 0)")
    badges = page.locator("#graph .check-badge.is-ok")
    expect(badges).to_have_count(len(check["leaves"]))
    badge = page.locator(f'#graph g.node[data-node-id="{w}"] .check-badge')
    expect(badge).to_have_text("✓ checked")
    page.screenshot(path=screenshot_dir / "gradient-check.png")

    # A new run drops the check: it belonged to the program as it was.
    page.locator("#run").click()
    expect(page.locator("#check-panel")).to_be_hidden()
    expect(badges).to_have_count(0)


RELU_AT_ZERO = """import torch
W = torch.tensor([[1.0, -2.0], [0.5, 3.0]], requires_grad=True)
x = torch.tensor([1.0, 0.0])
loss = torch.relu(W @ x).sum()
loss.backward()
"""


def test_the_gradient_check_labels_each_element_and_flags_rows_where_both_are_zero(
    page: Page, screenshot_dir: Path
) -> None:
    open_page(page, program_path(RELU_AT_ZERO))
    with page.expect_response(TRACE_ROUTE, timeout=TRACE_TIMEOUT_MS) as answer:
        page.locator("#check").click()
    (leaf,) = answer.value.json()["check"]["leaves"]
    assert leaf["indices"] == [[0, 0], [0, 1], [1, 0], [1, 1]]
    rows = page.locator("#check-panel .check-table tbody tr")
    expect(rows).to_have_count(4)
    # x[1] is 0: W's second column gets 0 both ways, which proves nothing.
    assert [r.split("\t") for r in rows.all_inner_texts()] == [
        ["W[0, 0]", "1.0", "1.0", f"{leaf['rel_errors'][0]:.1e}", "✓"],
        ["W[0, 1]", "0.0", "0.0", "0.0e+0", "both 0"],
        ["W[1, 0]", "1.0", "1.0", f"{leaf['rel_errors'][2]:.1e}", "✓"],
        ["W[1, 1]", "0.0", "0.0", "0.0e+0", "both 0"],
    ]
    flagged = page.locator('#check-panel tr[data-uninformative="true"]')
    expect(flagged).to_have_count(2)
    expect(flagged.first).to_have_attribute(
        "title", "Both sides are 0: they agree, but that says nothing about the gradient")
    page.locator("#check-panel").screenshot(path=screenshot_dir / "gradient-check-elements.png")


def test_a_presenter_link_restores_lesson_step_and_mode(
    page: Page, screenshot_dir: Path
) -> None:
    path = "/#lesson=chain-rule&step=5&mode=present"
    trace = open_page(page, path)
    expect_position(page, 5)
    expect(page.locator("body")).to_have_class("presenting")
    # Presenting shows the code and the lesson's question beside the graph, the list hidden.
    expect(page.locator("#pane-program")).to_be_visible()
    expect(page.locator("#question")).to_be_visible()
    expect(page.locator("#lesson-list")).to_be_hidden()
    expect(page.locator("#present")).to_have_attribute("aria-pressed", "true")
    assert page.url.endswith(path)
    # The program is the lesson's: step 5 is the backward step of u2, its first pause.
    assert pause_position(trace, {"phase": "backward", "node": "u2"}) == 5
    u2 = node_id(trace, "u2")
    expect(page.locator("#graph")).to_have_attribute("data-current", u2)
    halo = page.locator(f'#graph g.node[data-node-id="{u2}"] rect.card')
    assert "drop-shadow" in halo.evaluate("e => getComputedStyle(e).filter")
    size = page.locator("#narration").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 24

    # A presenter clicker sends PageDown and PageUp.
    page.keyboard.press("PageDown")
    expect_position(page, 6)
    assert page.url.endswith("#lesson=chain-rule&step=6&mode=present")
    page.keyboard.press("PageDown")
    expect_position(page, 7)
    page.keyboard.press("PageUp")
    expect_position(page, 6)
    page.wait_for_timeout(600)  # the gradient on its way to u1
    page.screenshot(path=screenshot_dir / "presenter.png")

    # F asks for full screen (headless may refuse, quietly); Escape leaves presenter mode.
    page.keyboard.press("f")
    page.keyboard.press("Escape")
    if page.evaluate("document.fullscreenElement !== null"):
        page.keyboard.press("Escape")
    expect(page.locator("body")).not_to_have_class("presenting")
    expect(page.locator("#pane-program")).to_be_visible()
    assert page.url.endswith("#lesson=chain-rule&step=6")
