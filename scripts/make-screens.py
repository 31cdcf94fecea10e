"""Take the README's screenshots: each view of the page at each screen size, into
docs/screens/<view>-<size>.png, from a real server and headless Chromium.

    .venv/bin/python scripts/make-screens.py            # all of them
    .venv/bin/python scripts/make-screens.py lesson     # only the views named

Run it after a change to how the page looks, look at the pictures, commit them.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.browser.conftest import CHROMIUM_ARGS, DEFAULT_CHROMIUM  # noqa: E402
from tests.browser.pages import go_to, open_example, open_page, program_path  # noqa: E402
from tests.server import serve  # noqa: E402

SCREENS = ROOT / "docs" / "screens"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or DEFAULT_CHROMIUM
SIZES = {"desktop": (1440, 900), "projector": (1024, 768), "phone": (390, 844)}

SHAPE_ERROR = """import torch
W = torch.ones(3, 4, requires_grad=True)
x = torch.ones(5, 2)
h = W.sum() * 2
y = W @ x
y.sum().backward()
"""


def settle(page: Page) -> None:
    """Wait until the graph is drawn and its transitions are over."""
    page.wait_for_function("() => !document.querySelector('#graph .transitioning')")
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => "
                  "requestAnimationFrame(done)))")


def start(page: Page) -> None:
    """The seed program, opened: the start of the forward pass."""
    open_page(page)


def forward(page: Page) -> None:
    """Halfway through the forward pass of the seed program."""
    open_page(page)
    go_to(page, 4)


def backward(page: Page) -> None:
    """A backward step: upstream gradient times local derivative."""
    open_page(page)
    page.locator("#jump-backward").click()
    for _ in range(3):
        page.locator("#step-next").click()


def predict(page: Page) -> None:
    """Predict mode: the page asks before it tells."""
    open_page(page)
    page.locator("#predict-toggle").click()
    # Leaves and constants ask nothing: step on to the first question.
    for _ in range(10):
        if page.locator("#predict").is_visible():
            break
        page.locator("#step-next").click()
    expect(page.locator("#predict")).to_be_visible()


def lesson(page: Page) -> None:
    """A lesson beside its program, at its first pause."""
    open_page(page)
    page.locator("#lessons-toggle").click()
    page.locator("#lesson-list button").nth(2).click()
    expect(page.locator("body")).to_have_attribute("data-status", "done", timeout=60_000)


def presenter(page: Page) -> None:
    """Presenter mode, for a projector."""
    open_page(page)
    page.locator("#present").click()
    page.keyboard.press("PageDown")
    page.keyboard.press("PageDown")


def mlp(page: Page) -> None:
    """An nn.Sequential MLP, its layers collapsed, during the backward pass."""
    open_page(page)
    open_example(page, "sequential-mlp")
    page.locator("#jump-backward").click()


def error(page: Page) -> None:
    """A shape error: the message at the graph, the failing line marked, what ran drawn."""
    page.goto(program_path(SHAPE_ERROR))
    expect(page.locator("body")).to_have_attribute("data-status", "error", timeout=60_000)


@dataclass(frozen=True)
class View:
    name: str
    show: Callable[[Page], None]


VIEWS = [View(f.__name__, f)
         for f in (start, forward, backward, predict, lesson, presenter, mlp, error)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    names = [v.name for v in VIEWS]
    parser.add_argument("views", nargs="*", help=f"views to take, of {', '.join(names)} "
                                                 "(default: all)")
    args = parser.parse_args()
    unknown = sorted(set(args.views) - set(names))
    if unknown:
        parser.error(f"no such view: {', '.join(unknown)}")
    chosen = [v for v in VIEWS if not args.views or v.name in args.views]
    SCREENS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder, serve(Path(folder)) as server, \
            sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for view in chosen:
            for size, (width, height) in SIZES.items():
                context = browser.new_context(base_url=server.base_url,
                                              viewport={"width": width, "height": height},
                                              reduced_motion="reduce")
                page = context.new_page()
                view.show(page)
                settle(page)
                path = SCREENS / f"{view.name}-{size}.png"
                page.screenshot(path=str(path))
                context.close()
                print(f"wrote {path.relative_to(ROOT)}")
        browser.close()


if __name__ == "__main__":
    main()
