"""The step player: the forward pass, then the chain rule flowing backward, step by step.

The page's order of highlighted nodes, the numbers on the chain-rule card and the running
sum where paths meet are checked against the trace the page itself received.
"""

from __future__ import annotations

from pathlib import Path

from pages import (
    backward_position,
    card_lines,
    expect_position,
    go_to,
    node_id,
    open_example,
    open_page,
    position,
)
from playwright.sync_api import Page, expect

W_CARD = "∂loss/∂w = ∂loss/∂(w*x) · ∂(w*x)/∂w = (-0.4)(1.4) = -0.56"


def test_stepping_backward_highlights_the_nodes_in_the_order_autograd_ran(page: Page) -> None:
    trace = open_page(page)
    forward = len(trace["steps"]["forward"])
    order = [step["node"] for step in trace["steps"]["backward"]]
    assert len(order) == 7

    page.locator("#jump-backward").click()
    seen = []
    for k, node in enumerate(order):
        if k:
            page.locator("#step-next").click()
        expect_position(page, forward + k)
        expect(page.locator("#graph")).to_have_attribute("data-current", node)
        current = page.locator('#graph g.node[data-s="current"]')
        expect(current).to_have_count(1)
        seen.append(current.get_attribute("data-node-id"))
        expect(page.locator("#step-label")).to_have_text(f"Backward {k + 1} / 7")
    assert seen == order
    expect(page.locator("#graph")).to_have_attribute("data-stage", "backward")


def test_the_card_at_ws_step_reads_upstream_times_local(
    page: Page, screenshot_dir: Path
) -> None:
    trace = open_page(page)
    w = node_id(trace, "w")
    go_to(page, backward_position(trace, w))

    expect(page.locator("#stepcard")).to_have_attribute("data-node", w)
    expect(page.locator("#stepcard .stepcard-title")).to_have_text("Backward step 7 of 7")
    assert card_lines(page) == [W_CARD, "w.grad = -0.56"]
    # Typeset by KaTeX, with the numbers in the formula.
    arrive = page.locator('#stepcard .stepcard-line[data-kind="arrive"] .katex-html')
    expect(arrive).to_contain_text("−0.56")
    expect(page.locator("#narration")).to_have_text(
        "Backward step 7 of 7: w received ∂loss/∂w = -0.56 and stores it: w.grad = -0.56."
    )

    # The step before (×) sends the same product along the edge into w, which lights up.
    page.keyboard.press("ArrowLeft")
    mul = page.locator('#graph g.node[data-op="MulBackward0"]').get_attribute("data-node-id")
    expect(page.locator("#graph")).to_have_attribute("data-current", mul or "")
    assert W_CARD in card_lines(page)
    edge_into_w = page.locator(f'#graph g.edge[data-source="{w}"]')
    expect(edge_into_w).to_have_attribute("data-s", "flowing")
    expect(page.locator("#graph-overlay .flow.flow-backward")).to_have_count(1)
    page.wait_for_timeout(450)  # the gradient is half-way along its edge
    page.screenshot(path=screenshot_dir / "seed-mid-backward.png")


def test_forward_steps_light_nodes_up_as_their_values_are_computed(
    page: Page, screenshot_dir: Path
) -> None:
    trace = open_page(page)
    steps = trace["steps"]["forward"]
    page.locator("#jump-forward").click()
    expect_position(page, 0)
    expect(page.locator("#graph")).to_have_attribute("data-stage", "forward")
    # Nothing is computed yet but the first input; gradients are hidden in the forward pass.
    expect(page.locator('#graph g.node[data-s="pending"]')).to_have_count(len(steps) - 1)
    expect(page.locator('#graph g.node[data-s="current"] .row-grad')).to_be_hidden()

    mul = next(k for k, s in enumerate(steps) if len(s["edges"]) == 2)
    go_to(page, mul)
    reading = page.locator('#graph g.edge[data-s="reading"]')
    expect(reading).to_have_count(2)
    assert sorted(reading.evaluate_all("els => els.map(e => e.dataset.edgeId)")) == sorted(
        f"e{e}" for e in steps[mul]["edges"]
    )
    assert card_lines(page) == ["w*x = w · x = 1.0 · 1.4", "w*x = 1.4"]
    page.locator("#step-back").click()
    page.locator("#step-next").click()
    page.wait_for_timeout(450)  # values half-way along the edges into ×
    page.screenshot(path=screenshot_dir / "seed-mid-forward.png")


def test_where_paths_meet_the_card_shows_the_running_sum_and_torchs_sum(page: Page) -> None:
    open_page(page)
    trace = open_example(page, "used-twice")
    x = node_id(trace, "x")
    own = backward_position(trace, x)

    go_to(page, own - 2)  # the first × has sent x its first part
    assert card_lines(page)[-1] == "running sum at x: 2.0 (1 of 3 paths)"
    badge = page.locator(f'#graph-overlay .sum-badge[data-node-id="{x}"]')
    expect(badge).to_have_text("Σ 1 of 3")
    x_node = page.locator(f'#graph g.node[data-node-id="{x}"]')
    expect(x_node).to_have_attribute("data-s", "partial")
    expect(x_node.locator(".node-grad")).to_have_text("2.0")

    page.keyboard.press("ArrowRight")
    assert card_lines(page)[-1] == "running sum at x: 2.0 + 3.0 + 3.0 = 8.0 (3 of 3 paths)"

    page.keyboard.press("ArrowRight")
    expect_position(page, own)
    assert card_lines(page) == ["∂y/∂x = 2.0 + 3.0 + 3.0 = 8.0", "x.grad = 8.0"]
    expect(page.locator("#graph-overlay .sum-badge")).to_have_count(0)


def test_the_keyboard_plays_pauses_and_steps(page: Page) -> None:
    trace = open_page(page)
    end = len(trace["steps"]["forward"]) + len(trace["steps"]["backward"])
    expect_position(page, 0)  # a new graph opens at the start of the forward pass

    page.locator("#graph").click(position={"x": 5, "y": 5})
    page.keyboard.press("End")
    expect_position(page, end)
    page.keyboard.press("Home")
    expect_position(page, 0)
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect_position(page, 2)
    page.keyboard.press("ArrowLeft")
    expect_position(page, 1)

    page.locator("#speed").select_option("4")
    page.locator("#graph").click(position={"x": 5, "y": 5})
    page.keyboard.press("Space")
    expect(page.locator("#play")).to_have_attribute("aria-label", "Pause")
    expect(page.locator("body")).not_to_have_attribute("data-step", "1")  # it moves on
    page.keyboard.press("Space")
    expect(page.locator("#play")).to_have_attribute("aria-label", "Play")
    paused = position(page)
    page.wait_for_timeout(600)
    assert position(page) == paused

    page.keyboard.press("End")
    expect_position(page, end)
    expect(page.locator("#step-label")).to_have_text("End: everything shown")
    # Keys typed into the editor stay in the editor.
    page.locator("#source").press("Home")
    expect_position(page, end)
