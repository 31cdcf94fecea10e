"""A graph ELK lays out, with ELK slow to answer (held back through the page's test entry
point, as a cold worker would be): the first paint is the quick layout, all of it, and the
graph then moves to ELK's coordinates, keeping the step, the selection and the user's zoom."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pages import expect_position, go_to, open_page
from playwright.sync_api import Page, expect

# Opened with ?testing=hold-elk, the page holds ELK's answers back until the test calls
# window.__chainruleTest.releaseElk() (frontend/js/app/testing.js).
HOLD_ELK_PATH = "/?testing=hold-elk"
RELEASE_ELK = "window.__chainruleTest.releaseElk()"
PLACES = """() => ({
  nodes: Object.fromEntries([...document.querySelectorAll('#graph g.node')]
    .map((e) => [e.dataset.nodeId, e.getAttribute('transform')])),
  edges: Object.fromEntries([...document.querySelectorAll('#graph g.edge')]
    .map((e) => [e.dataset.edgeId, e.querySelector('.edge-line').getAttribute('d')])),
})"""
COUNT_MOVES = """() => {
  window.__moves = {};
  new MutationObserver((records) => {
    for (const { target } of records) {
      if (!target.matches("g.node")) continue;
      const id = target.dataset.nodeId;
      window.__moves[id] = (window.__moves[id] ?? 0) + 1;
    }
  }).observe(document.getElementById("graph"), {
    subtree: true,
    attributes: true,
    attributeFilter: ["transform"],
  });
}"""
ZOOM = "() => document.querySelector('#graph .viewport').getAttribute('transform')"


def places(page: Page) -> dict[str, Any]:
    """Each node's transform and each edge's path, by id."""
    found: dict[str, Any] = page.evaluate(PLACES)
    return found


def settled_on_elk(page: Page) -> None:
    expect(page.locator("body")).to_have_attribute("data-layout", "elk")
    expect(page.locator("#graph")).not_to_have_class("is-moving")


def elk_places(page: Page) -> dict[str, Any]:
    """Where ELK puts the seed program's graph, in a page that let ELK answer."""
    other = page.context.new_page()
    open_page(other)
    settled_on_elk(other)
    found = places(other)
    other.close()
    return found


def test_a_slow_elk_paints_the_quick_layout_then_moves_to_elks(
    page: Page, screenshot_dir: Path
) -> None:
    elk = elk_places(page)
    open_page(page, HOLD_ELK_PATH)

    # The first complete paint came with ELK still held: the quick layout, every node in it.
    expect(page.locator("body")).to_have_attribute("data-layout", "interim")
    expect(page.locator("#graph g.node")).to_have_count(9)
    expect(page.locator("#graph g.edge")).to_have_count(8)
    painted = "performance.getEntriesByName('chainrule:response-to-paint').length"
    assert page.evaluate(painted) == 1
    quick = places(page)
    assert quick["nodes"].keys() == elk["nodes"].keys()
    assert quick["nodes"] != elk["nodes"]
    expect(page.locator("#status")).not_to_contain_text("quick layout")

    # What the user does meanwhile stays: a step, a selected node, a zoom.
    go_to(page, 3)
    w = page.locator('#graph g.node[data-name="w"]')
    w_id = w.get_attribute("data-node-id") or ""
    w.click()
    expect(page.locator("#inspector")).to_have_attribute("data-node", w_id)
    graph = page.locator("#graph").bounding_box()
    assert graph is not None
    fitted = page.evaluate(ZOOM)
    page.mouse.move(graph["x"] + graph["width"] / 2, graph["y"] + graph["height"] / 2)
    page.mouse.wheel(0, 200)
    expect(page.locator("#graph .viewport")).not_to_have_attribute("transform", fitted)
    zoom = page.evaluate(ZOOM)
    page.screenshot(path=screenshot_dir / "seed-quick-layout.png")

    page.evaluate(RELEASE_ELK)
    settled_on_elk(page)
    assert places(page) == elk
    assert page.evaluate(painted) == 1  # the move is not a new first paint
    expect_position(page, 3)
    expect(page.locator("#inspector")).to_have_attribute("data-node", w_id)
    expect(w).to_have_class(re.compile(r"\bis-selected\b"))
    assert page.evaluate(ZOOM) == zoom
    page.screenshot(path=screenshot_dir / "seed-elk-layout.png")


def test_with_reduced_motion_the_graph_jumps_to_elks_layout(page: Page) -> None:
    elk = elk_places(page)
    page.emulate_media(reduced_motion="reduce")
    open_page(page, HOLD_ELK_PATH)
    expect(page.locator("body")).to_have_attribute("data-layout", "interim")
    # Count the changes of each card's place: a jump changes it once, a transition often.
    page.evaluate(COUNT_MOVES)
    page.evaluate(RELEASE_ELK)
    settled_on_elk(page)
    assert places(page) == elk
    moves = page.evaluate("window.__moves")
    assert moves == {node: 1 for node in elk["nodes"]}
