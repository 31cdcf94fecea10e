"""The page at a projector's, a laptop's and a phone's size: nothing outside the viewport
sideways, the player's buttons on screen (thumb-sized on a phone), one-line toolbars and
uncut scrubber labels on the larger screens, and the graph fitted to the part of its view
the overlays leave clear after each event that moves it (the first layout, a module folded
and opened, the lessons panel opened and closed, the window resized). A graph too large to
read whole follows the current step, with a minimap. Also: the editor marks the line of
the step shown while stepping and playing, and presenter mode's keys."""

from __future__ import annotations

import contextlib
import math
from typing import Any

import pytest
import torch
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from tests.browser.pages import go_to, open_example, open_page, wait_done

DESKTOP = [(1440, 900), (1024, 768)]
PHONE = (390, 844)
SIZES = [*DESKTOP, PHONE]
PLAYER_BUTTONS = ["jump-forward", "step-back", "play", "step-next", "jump-backward", "jump-end"]
THUMB_PX = 44
READABLE_MIN_SCALE = 0.6  # core/viewfit.js: a graph is never fitted smaller than this

# The overlays floating over the graph (those in the page's flow cover nothing).
OVERLAYS_JS = """() => ["narration", "stepcard", "inspector", "predict", "minimap"]
  .map((id) => document.getElementById(id))
  .filter((e) => e && !e.hidden && e.offsetParent && getComputedStyle(e).position !== "static")
  .map((e) => e.getBoundingClientRect())"""

# "whole": the drawn graph inside the drawing and clear of every overlay; "follow": the
# minimap shown and the current step's node inside the drawing and clear of the overlays;
# "fitted": whole, else following at the readable scale (0.6), as the page chooses.
SHOWN_JS = (
    """([mode, minScale]) => {
  const overlays = ("""
    + OVERLAYS_JS
    + """)();
  const view = document.getElementById("graph").getBoundingClientRect();
  const clear = (r) => r.width > 0 &&
    r.left >= view.left - 1 && r.top >= view.top - 1 &&
    r.right <= view.right + 1 && r.bottom <= view.bottom + 1 &&
    !overlays.some((o) =>
      o.left < r.right && r.left < o.right && o.top < r.bottom && r.top < o.bottom);
  const group = document.querySelector("#graph g.viewport");
  const whole = clear(group.getBoundingClientRect());
  const current = document.querySelector('#graph .node[data-s="current"]');
  const follows = !document.getElementById("minimap").hidden && current !== null &&
    clear(current.getBoundingClientRect());
  if (mode === "whole") return whole;
  if (mode === "follow") return follows;
  const scale = /scale\\(([^)]+)\\)/.exec(group.getAttribute("transform") ?? "");
  return whole || (follows && scale !== null && Number(scale[1]) === minScale);
}"""
)

# Every element's right edge inside the viewport, unless an ancestor clips it (then that
# ancestor is checked instead); the SVG drawing's insides are clipped by the SVG.
OVERFLOW_JS = """() => {
  const width = innerWidth;
  const clipped = (e) => {
    for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== "visible") return true;
    }
    return false;
  };
  const out = [];
  for (const e of document.body.querySelectorAll("*")) {
    if (e.ownerSVGElement) continue;
    const r = e.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || clipped(e)) continue;
    if (getComputedStyle(e).visibility === "hidden") continue;
    if (r.right > width + 0.5) out.push(`${e.tagName}#${e.id}.${e.className} ${r.right}`);
  }
  const page = document.documentElement.scrollWidth;
  if (page > width) out.push(`page ${page}`);
  return out;
}"""


def expect_shown(page: Page, mode: str) -> None:
    """Wait until the graph is shown as `mode` says ("whole" or "follow")."""
    page.wait_for_function(SHOWN_JS, arg=[mode, READABLE_MIN_SCALE])


def expect_no_sideways_overflow(page: Page) -> None:
    """Nothing sticks out sideways, once the page has answered its last resize (its
    ResizeObservers run after the resize event: on a busy machine, frames later)."""
    with contextlib.suppress(PlaywrightTimeoutError):  # the assertion below names what
        page.wait_for_function(f"({OVERFLOW_JS})().length === 0", timeout=10_000)
    assert page.evaluate(OVERFLOW_JS) == []


def expect_player_on_screen(page: Page, thumb: bool) -> None:
    for button_id in PLAYER_BUTTONS:
        button = page.locator(f"#{button_id}")
        expect(button).to_be_in_viewport()
        if thumb:
            box = button.bounding_box()
            assert box is not None
            assert box["width"] >= THUMB_PX and box["height"] >= THUMB_PX, button_id
    expect(page.locator("#scrubber")).to_be_in_viewport()


@pytest.mark.parametrize(("width", "height"), SIZES, ids=lambda v: str(v))
def test_the_page_fits_the_screen_and_keeps_the_graph_clear(
    page: Page, width: int, height: int
) -> None:
    page.set_viewport_size({"width": width, "height": height})
    open_page(page)
    phone = (width, height) == PHONE
    # A phone follows the seed graph's steps; a wider screen shows it whole if it can.
    mode = "follow" if phone else "fitted"
    expect_shown(page, mode)
    expect_no_sideways_overflow(page)
    expect_player_on_screen(page, thumb=phone)

    page.locator("#lessons-toggle").click()
    expect(page.locator("#lessons-panel")).to_be_visible()
    # The lesson list sits beside (or under) the program, never over the editor.
    lessons = page.locator("#lessons-panel").bounding_box()
    editor = page.locator("#editor").bounding_box()
    assert lessons is not None and editor is not None
    assert lessons["y"] + lessons["height"] <= editor["y"]
    expect_shown(page, mode)
    expect_no_sideways_overflow(page)
    page.locator("#lessons-close").click()
    expect(page.locator("#lessons-panel")).to_be_hidden()
    expect_shown(page, mode)

    page.set_viewport_size({"width": width - 60, "height": height - 60})
    expect_shown(page, mode)
    expect_no_sideways_overflow(page)
    page.set_viewport_size({"width": width, "height": height})
    expect_shown(page, mode)


@pytest.mark.parametrize(("width", "height"), DESKTOP, ids=lambda v: str(v))
def test_the_toolbars_keep_to_one_line_and_the_scrubber_labels_are_whole(
    page: Page, width: int, height: int
) -> None:
    page.set_viewport_size({"width": width, "height": height})
    open_page(page)
    open_example(page, "sequential-mlp")  # its graph bar also has "Collapse modules"
    bar = page.locator(".pane-graph .pane-bar")
    tops = bar.locator(".button:visible").evaluate_all(
        "els => els.map(e => Math.round(e.getBoundingClientRect().top))"
    )
    assert len(tops) >= 4
    assert len(set(tops)) == 1, tops
    for label in [".scrub-fwd", ".scrub-bwd"]:
        cut = page.locator(label).evaluate(
            "e => e.scrollWidth > e.clientWidth || e.getBoundingClientRect().right > innerWidth"
        )
        assert cut is False, label
    expect_player_on_screen(page, thumb=False)
    expect_no_sideways_overflow(page)


def test_a_phone_shows_the_graph_first_and_the_card_under_it(page: Page) -> None:
    page.set_viewport_size({"width": PHONE[0], "height": PHONE[1]})
    open_page(page)
    graph = page.locator(".pane-graph").bounding_box()
    program = page.locator("#pane-program").bounding_box()
    drawing = page.locator("#graph").bounding_box()
    card = page.locator("#stepcard").bounding_box()
    assert graph is not None and program is not None and drawing is not None and card is not None
    assert graph["y"] < program["y"]
    assert card["y"] >= drawing["y"] + drawing["height"]


@pytest.mark.parametrize(("width", "height"), SIZES, ids=lambda v: str(v))
def test_a_large_graph_follows_the_step_with_a_minimap_and_refits_when_modules_fold(
    page: Page, width: int, height: int
) -> None:
    page.set_viewport_size({"width": width, "height": height})
    open_page(page)
    trace = open_example(page, "sequential-mlp")
    expect_shown(page, "follow")
    last_forward = len(trace["steps"]["forward"]) - 1
    go_to(page, last_forward)
    expect_shown(page, "follow")
    go_to(page, last_forward + 3)
    expect_shown(page, "follow")

    go_to(page, 0)
    toggle = page.locator("#modules-toggle")
    toggle.click()  # every module folded: whole where it is readable so, else followed
    expect(toggle).to_have_text("Expand modules")
    wait_done(page)
    expect_shown(page, "follow" if (width, height) == PHONE else "whole")
    if (width, height) != PHONE:
        expect(page.locator("#minimap")).to_be_hidden()
    toggle.click()
    expect(toggle).to_have_text("Collapse modules")
    expect_shown(page, "follow")


def step_line(trace: dict[str, Any], position: int) -> str:
    """The 1-based source line of the node of forward step `position`."""
    node_id = trace["steps"]["forward"][position]["node"]
    node = next(n for n in trace["nodes"] if n["id"] == node_id)
    return str(node["span"]["line"])


def test_the_editor_marks_the_line_of_the_step_while_stepping_and_playing(page: Page) -> None:
    trace = open_page(page)
    marked = page.locator("#gutter .ln.is-step")
    for position in [0, 3, 5]:
        go_to(page, position)
        expect(marked).to_have_attribute("data-line", step_line(trace, position))
    go_to(page, 0)
    first = step_line(trace, 0)
    page.locator("#play").click()
    # Playing moves the mark with the step: to each forward step's own line in turn.
    page.wait_for_function(
        """(first) => {
          const ln = document.querySelector("#gutter .ln.is-step");
          return ln !== null && ln.dataset.line !== first;
        }""",
        arg=first,
    )
    page.locator("#play").click()
    position = int(page.locator("body").get_attribute("data-step") or "-1")
    if position < len(trace["steps"]["forward"]):
        expect(marked).to_have_attribute("data-line", step_line(trace, position))
    expect(page.locator("#marks .mark-step")).to_be_visible()


def test_presenter_mode_shows_code_card_and_question_and_reveals_by_key(page: Page) -> None:
    open_page(page, "/#lesson=chain-rule&step=5&mode=present")
    expect(page.locator("body")).to_have_class("presenting")
    expect(page.locator("#pane-program")).to_be_visible()
    expect(page.locator("#question .lesson-prompt")).to_have_text(
        "Multiply the three local derivatives: what is dy/dx?"
    )
    expect(page.locator("#stepcard")).to_be_visible()
    size = page.locator("#source").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 20
    assert "R reveal" in (page.locator("#present").get_attribute("title") or "")

    page.locator("#graph").click(position={"x": 5, "y": 5})  # focus off the fields
    page.keyboard.press("PageDown")
    expect(page.locator("body")).to_have_attribute("data-step", "6")
    page.keyboard.press("PageUp")
    expect(page.locator("body")).to_have_attribute("data-step", "5")

    # R shows torch's answer: dy/dx of exp(sin(x²)) at x = 0.8.
    x = torch.tensor(0.8, requires_grad=True)
    torch.exp(torch.sin(x**2)).backward()
    assert x.grad is not None
    expected = float(f"{x.grad.item():.4g}")
    assert math.isclose(expected, 2.332, abs_tol=1e-4)
    page.keyboard.press("r")
    expect(page.locator("#question-verdict")).to_have_text(f"Torch's answer: {expected:g}")
