"""Errors at the graph: a shape error said over the graph area with its line marked in the
editor; a program that ran partway drawn as far as it ran; an expression's unknown names
offered as variables rows; an expression with several elements told to add .sum()."""

from __future__ import annotations

import pytest
import torch
from playwright.sync_api import Page, expect
from tests.browser.pages import TRACE_ROUTE, TRACE_TIMEOUT_MS, open_page, traced, wait_done
from tests.conftest import as_tensor, node_where

SHAPE_ERROR = (
    "import torch\n"
    "W = torch.ones(3, 4)\n"
    "x = torch.ones(5, 2)\n"
    "print('shapes', W.shape, x.shape)\n"
    "\n"
    "y = W @ x\n"
)
PARTWAY = (
    "import torch\n"
    "w = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)\n"
    "h = (w * 2).exp()\n"
    "y = h.view(2, 2)\n"
)


@pytest.fixture
def page_open(page: Page) -> Page:
    open_page(page)
    return page


def run_source(page: Page, source: str, status: str) -> None:
    page.locator("#source").fill(source)
    with page.expect_response(TRACE_ROUTE, timeout=TRACE_TIMEOUT_MS):
        page.locator("#run").click()
    wait_done(page, status)


def test_shape_error_is_said_over_the_graph_and_its_line_marked(page_open: Page) -> None:
    page = page_open
    run_source(page, SHAPE_ERROR, "error")
    message = page.locator("#graph-message")
    expect(message).to_be_visible()
    expect(message).to_have_class("graph-message is-error")
    expect(message).to_have_text("Error on line 6: W @ x: 3×4 and 5×2 cannot be multiplied")
    # The editor marks the failing line (the band and the gutter's number), and the error
    # panel keeps torch's own message beside chainrule's.
    expect(page.locator("#gutter .gutter-lines > div.error")).to_have_text("6")
    expect(page.locator("#marks .mark-error")).to_be_visible()
    expect(page.locator("#error-torch")).to_have_text(
        "torch: mat1 and mat2 shapes cannot be multiplied (3x4 and 5x2)")
    expect(page.locator("#stdout")).to_have_text(
        "shapes torch.Size([3, 4]) torch.Size([5, 2])")


def test_program_that_ran_partway_draws_what_ran_under_the_error(page_open: Page) -> None:
    page = page_open
    run_source(page, PARTWAY, "error")
    expect(page.locator("#graph-message")).to_have_text(
        "Error on line 4: h.view(2, 2): a vector of 3 has 3 elements, which cannot take the "
        "shape [2, 2] (4 elements)The graph shows what ran before it.")
    # The partial graph: w, the constant-free product, exp; each node with its value.
    nodes = page.locator("#graph g.node")
    expect(nodes).to_have_count(3)
    expect(page.locator('#graph g.node:has-text("ExpBackward0")')).to_have_count(1)
    # Forward values only: no gradient on any node, and the error speaks, not a narration.
    expect(page.locator("#graph g.node .node-grad")).to_have_text(["—", "—", "—"])
    expect(page.locator("#narration")).to_be_hidden()
    expect(page.locator("#gutter .gutter-lines > div.error")).to_have_text("4")


def test_expression_with_unknown_names_gets_a_row_for_each_then_runs(page_open: Page) -> None:
    page = page_open
    run_source(page, "(w * x + b).sum()", "error")
    names = page.locator("#variables .var-name")
    expect(names).to_have_count(3)
    assert [names.nth(i).input_value() for i in range(3)] == ["w", "x", "b"]
    expect(page.locator("#vars-panel")).to_have_attribute("open", "")
    expect(page.locator("#variables .var-value").first).to_be_focused()
    expect(page.locator("#graph-message")).to_have_text(
        "w, x and b have no value yet: type them under Variables, then press Run.")
    values = page.locator("#variables .var-value")
    for i, value in enumerate(["1.0", "[1.4]", "0.5"]):
        values.nth(i).fill(value)
    page.locator("#variables .var-grad").nth(0).check()
    page.locator("#variables .var-grad").nth(2).check()
    with page.expect_response(TRACE_ROUTE, timeout=TRACE_TIMEOUT_MS) as answer:
        page.locator("#run").click()
    wait_done(page)
    trace = traced(answer.value)
    w = torch.tensor(1.0, requires_grad=True)
    b = torch.tensor(0.5, requires_grad=True)
    (w * torch.tensor([1.4]) + b).sum().backward()
    assert torch.equal(as_tensor(node_where(trace, name="w")["grad"]), w.grad)
    assert torch.equal(as_tensor(node_where(trace, name="b")["grad"]), b.grad)
    expect(page.locator("#graph g.node")).to_have_count(len(trace["nodes"]))
    expect(page.locator("#graph-message")).to_be_hidden()


def test_expression_with_several_elements_says_to_add_sum(page_open: Page) -> None:
    page = page_open
    run_source(page, "w * x", "error")
    values = page.locator("#variables .var-value")
    expect(values).to_have_count(2)
    values.nth(0).fill("[1.0, 2.0]")
    values.nth(1).fill("3.0")
    page.locator("#variables .var-grad").nth(0).check()
    page.locator("#run").click()
    wait_done(page)
    expect(page.locator("#notes")).to_have_text(
        "the result has 2 elements: add .sum() to differentiate it")
    expect(page.locator("#notes")).to_be_visible()
