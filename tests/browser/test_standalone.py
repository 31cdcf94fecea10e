"""The offline player in a browser: opened from file:// with the network cut off, it steps
through the backward pass and its chain-rule card says torch's numbers; the page's Export
menu downloads the same player for the trace on screen."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import torch
from benchmarks.offline import MLP_10K  # 10,003 nodes, drawn with the modules folded
from pages import backward_position, card_lines, go_to, node_id, open_page, wait_done
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect
from tests.wire import from_v2

from chainrule.content.examples import SEED_SOURCE
from chainrule.pipeline import TraceJob, run, trace_to_json
from chainrule.standalone import player_html

# Schemes a page opened from a file may load from without a network.
LOCAL = ("file:", "data:", "blob:")
LOAD_TIMEOUT_MS = 30_000


class Watch:
    """What went wrong in a page: console errors, uncaught exceptions, failed requests, and
    every request for anything not inside the document."""

    def __init__(self, page: Page) -> None:
        self.problems: list[str] = []
        self.outside: list[str] = []
        page.on("console", lambda m: self.problems.append(f"console: {m.text}")
                if m.type == "error" else None)
        page.on("pageerror", lambda e: self.problems.append(f"pageerror: {e}"))
        page.on("requestfailed", lambda r: self.problems.append(f"failed: {r.url[:120]}"))


@pytest.fixture
def offline(browser: Browser) -> Iterator[BrowserContext]:
    """A browser context with no network: anything but a file, data: or blob: URL aborted."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.set_offline(True)
    refused: list[str] = []

    def local_only(route: Route) -> None:
        if route.request.url.startswith(LOCAL):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    context.route("**/*", local_only)
    yield context
    context.close()
    assert refused == []


def open_offline(context: BrowserContext, path: Path, layout: str = "elk") -> tuple[Page, Watch]:
    """Open a saved player from file:// and wait until its graph is drawn in `layout`."""
    page = context.new_page()
    watch = Watch(page)
    page.goto(path.as_uri())
    wait_done(page)
    expect(page.locator("body")).to_have_attribute("data-layout", layout,
                                                   timeout=LOAD_TIMEOUT_MS)
    return page, watch


def shown(x: float) -> str:
    """A float32 as the page writes it (core/format.js): 4 significant digits, `1.0`."""
    text = f"{x:.4g}"
    return text if "." in text or "e" in text else f"{text}.0"


def seed_in_torch() -> dict[str, float]:
    """The seed program run by torch, with the gradients its backward card shows."""
    w = torch.tensor(1.0, requires_grad=True)
    b = torch.tensor(0.5, requires_grad=True)
    x = torch.tensor([1.4])
    y = torch.tensor([2.1])
    wx = torch.mul(w, x)
    z = torch.add(wx, b)
    wx.retain_grad()
    z.retain_grad()
    loss = (y - z).pow(2).sum()
    loss.backward()
    assert w.grad is not None and b.grad is not None
    assert wx.grad is not None and z.grad is not None
    return {"x": x.item(), "w.grad": w.grad.item(), "b.grad": b.grad.item(),
            "(w*x).grad": wx.grad.item(), "z.grad": z.grad.item()}


def assert_seed_cards(page: Page, trace: dict[str, Any]) -> None:
    """The seed's backward cards for b and w say torch's numbers."""
    torch_says = {k: shown(v) for k, v in seed_in_torch().items()}
    go_to(page, backward_position(trace, node_id(trace, "b")))
    assert card_lines(page) == [
        f"∂loss/∂b = ∂loss/∂z · ∂z/∂b = ({torch_says['z.grad']})(1.0) = {torch_says['b.grad']}",
        f"b.grad = {torch_says['b.grad']}",
    ]
    go_to(page, backward_position(trace, node_id(trace, "w")))
    assert card_lines(page) == [
        f"∂loss/∂w = ∂loss/∂(w*x) · ∂(w*x)/∂w = ({torch_says['(w*x).grad']})({torch_says['x']})"
        f" = {torch_says['w.grad']}",
        f"w.grad = {torch_says['w.grad']}",
    ]


def drawn_graph(page: Page) -> list[Any]:
    """Every node card drawn: its id and its text, in id order."""
    cards: list[Any] = page.locator("#graph g.node").evaluate_all(
        "els => els.map(e => [e.dataset.nodeId, e.textContent])")
    return sorted(cards)


def test_the_saved_seed_player_shows_torchs_gradients_offline(
    offline: BrowserContext, tmp_path: Path, screenshot_dir: Path
) -> None:
    body = trace_to_json(SEED_SOURCE, api=2)
    saved = tmp_path / "seed.html"
    saved.write_text(player_html(body, source=SEED_SOURCE), encoding="utf-8")
    trace = from_v2(json.loads(body))

    page, watch = open_offline(offline, saved)
    expect(page.locator("#source")).to_have_value(SEED_SOURCE)
    expect(page.locator("#run")).to_be_disabled()
    expect(page.locator("#run")).to_have_attribute("title", "Recorded in Python: run it in "
                                                   "chainrule to change it (pip install chainrule)")

    assert_seed_cards(page, trace)
    # The step card's formula is typeset by KaTeX, with its fonts from the document.
    expect(page.locator("#stepcard .katex").first).to_be_visible()
    page.wait_for_function("[...document.fonts].some(f => f.family === 'KaTeX_Main' && "
                           "f.status === 'loaded')")
    page.screenshot(path=screenshot_dir / "offline-seed-backward.png")
    assert watch.problems == []


def test_the_export_menus_offline_html_opens_from_a_file_with_the_same_graph(
    page: Page, offline: BrowserContext, tmp_path: Path, screenshot_dir: Path
) -> None:
    served = Watch(page)
    open_page(page)
    expect(page.locator("body")).to_have_attribute("data-layout", "elk", timeout=LOAD_TIMEOUT_MS)
    go_to(page, int(page.locator("#scrubber").get_attribute("max") or "0"))
    on_server = (drawn_graph(page), card_lines(page))

    page.locator("#export-menu summary").click()
    with page.expect_download() as download:
        page.locator("#export-html").click()
    saved = tmp_path / "exported.html"
    download.value.save_as(saved)
    assert download.value.suggested_filename == "chainrule-player.html"

    copy, watch = open_offline(offline, saved)
    expect(copy.locator("#source")).to_have_value(page.locator("#source").input_value())
    go_to(copy, int(copy.locator("#scrubber").get_attribute("max") or "0"))
    assert (drawn_graph(copy), card_lines(copy)) == on_server
    expect(copy.locator("#export-html")).to_be_hidden()
    copy.screenshot(path=screenshot_dir / "exported-offline.png")
    assert watch.problems == []
    assert served.problems == []


def test_the_offline_html_cannot_be_exported_while_predict_mode_conceals_numbers(
    page: Page,
) -> None:
    open_page(page)
    expect(page.locator("#export-html")).to_be_enabled()
    page.locator("#predict-toggle").click()
    expect(page.locator("#export-html")).to_be_disabled()


def test_a_saved_player_of_10_000_ops_draws_its_graph_offline(
    offline: BrowserContext, tmp_path: Path, screenshot_dir: Path
) -> None:
    # Past the server's response limit: a recording in Python has none.
    body = run(TraceJob(MLP_10K, {}, None, False, api=2, max_bytes=100_000_000))
    nodes = len(json.loads(body)["nodes"])
    saved = tmp_path / "mlp.html"
    saved.write_text(player_html(body, source=MLP_10K), encoding="utf-8")

    page, watch = open_offline(offline, saved, layout="quick")
    expect(page.locator("#status")).to_contain_text(f"{nodes} nodes · {nodes - 1} edges")
    expect(page.locator("#graph g.node.kind-module").first).to_be_visible()
    go_to(page, int(page.locator("#scrubber").get_attribute("max") or "0"))
    expect(page.locator("#step-label")).to_have_text("End: everything shown")
    page.screenshot(path=screenshot_dir / "offline-10k.png")
    assert nodes == 10_003
    assert watch.problems == []
