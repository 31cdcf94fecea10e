"""Share links opened in a tab that already shows the page (a same-document hash change):
the page runs the link's program, as a fresh load would; the hash it writes itself (as the
step or selection changes) runs nothing."""

from __future__ import annotations

import base64
from typing import Any

from pages import (
    TRACE_ROUTE,
    TRACE_TIMEOUT_MS,
    expect_position,
    go_to,
    open_page,
    traced,
    wait_done,
)
from playwright.sync_api import Page, Route, expect

PRODUCT = """import torch
a = torch.tensor(3.0, requires_grad=True)
b = torch.tensor(4.0, requires_grad=True)
c = a * b
c.backward()
print(a.grad)
"""
SQUARES = """import torch
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = (x * x + x).sum()
y.backward()
print(x.grad)
"""


def link(source: str, extras: str = "") -> str:
    """The hash of a share link to `source` (base64url of its UTF-8, as state.toHash)."""
    encoded = base64.urlsafe_b64encode(source.encode()).decode().rstrip("=")
    return f"#src={encoded}{extras}"


def follow(page: Page, hash_: str) -> dict[str, Any]:
    """Open a share link in the same tab (only the hash changes); return the trace it ran."""
    with page.expect_response(TRACE_ROUTE, timeout=TRACE_TIMEOUT_MS) as answer:
        page.evaluate("hash => { location.hash = hash; }", hash_)
    wait_done(page)
    return traced(answer.value)


def node(page: Page, name: str) -> Any:
    return page.locator(f'#graph g.node[data-name="{name}"]')


def test_a_share_link_opened_in_the_same_tab_runs_its_program(page: Page) -> None:
    open_page(page)
    expect(page.locator("#graph g.node")).to_have_count(9)

    trace = follow(page, link(PRODUCT))
    assert len(trace["nodes"]) == 3
    expect(page.locator("#source")).to_have_value(PRODUCT)
    expect(page.locator("#graph g.node")).to_have_count(3)
    expect(node(page, "a").locator(".node-value")).to_have_text("3.0")
    expect(node(page, "a").locator(".node-grad")).to_have_text("4.0")
    expect(page.locator("#stdout")).to_have_text("tensor(4.)\n")
    expect(page.locator("#status")).to_contain_text("3 nodes · 2 edges")

    # Another link, with a step and a selected node: both shown once traced.
    x = "n3"
    trace = follow(page, link(SQUARES, f"&step=1&node={x}"))
    assert len(trace["nodes"]) == 4
    assert [n["name"] for n in trace["nodes"] if n["id"] == x] == ["x"]
    expect(page.locator("#source")).to_have_value(SQUARES)
    expect(page.locator("#graph g.node")).to_have_count(4)
    expect_position(page, 1)
    expect(page.locator("#inspector")).to_have_attribute("data-node", x)
    expect(node(page, "x").locator(".node-value")).to_have_text("[1.0, 2.0]")
    expect(page.locator("#stdout")).to_have_text("tensor([3., 5.])\n")

    # Back to the first link, then to the page without a link: the seed program again.
    with page.expect_response(TRACE_ROUTE, timeout=TRACE_TIMEOUT_MS):
        page.go_back()
    wait_done(page)
    expect(page.locator("#source")).to_have_value(PRODUCT)
    expect(page.locator("#graph g.node")).to_have_count(3)
    expect(page.locator("#inspector")).to_be_hidden()
    with page.expect_response(TRACE_ROUTE, timeout=TRACE_TIMEOUT_MS):
        page.go_back()
    wait_done(page)
    expect(page.locator("#graph g.node")).to_have_count(9)
    expect(node(page, "w").locator(".node-grad")).to_have_text("-0.56")


def test_a_link_with_its_own_program_runs_without_waiting_for_the_examples(
    page: Page,
) -> None:
    held: list[Route] = []  # GET /api/v2/examples, answered only once the link has run

    def hold(route: Route) -> None:
        held.append(route)

    page.route("**/api/v2/examples", hold)
    trace = open_page(page, "/" + link(PRODUCT))
    assert len(trace["nodes"]) == 3
    expect(page.locator("#graph g.node")).to_have_count(3)
    assert len(held) == 1
    expect(page.locator("#examples option[value='linear-regression']")).to_have_count(0)

    held[0].continue_()
    expect(page.locator("#examples option[value='linear-regression']")).to_have_count(1)
    expect(page.locator("#source")).to_have_value(PRODUCT)
    expect(page.locator("body")).to_have_attribute("data-status", "done")


def test_the_hash_the_page_writes_itself_runs_nothing(page: Page) -> None:
    open_page(page, "/" + link(PRODUCT))
    go_to(page, 2)
    expect(page).to_have_url(f"{page.url.split('#')[0]}{link(PRODUCT, '&step=2')}")
    # The page writes its hash with history.replaceState (no event). Were a hashchange to
    # come with that hash, the page must stay as it is: a run would set its status to
    # "running" at once, in the same task, and go back to the end of the timeline.
    after = page.evaluate(
        """() => {
            dispatchEvent(new HashChangeEvent("hashchange"));
            return [document.body.dataset.status, document.body.dataset.step];
        }"""
    )
    assert after == ["done", "2"]
    expect(page.locator("#graph g.node")).to_have_count(3)
