"""The page in headless Chromium: time from the trace response to the first complete paint,
and frame times while the backward phase plays.

    python -m benchmarks.browser [--quick]

Each workload is opened through a share link (`#src=...`), so the page runs it on load.
"Response to paint" is the page's own performance measure, from the trace's response to
the second animation frame after the graph was drawn (so the drawing has been painted).
"Frames" are animation-frame intervals while the backward phase plays at 4 steps per
second; "paint" is the page's JavaScript time per frame (timeline frame + DOM updates).
"""

from __future__ import annotations

import argparse
import base64
import os
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.server import serve  # noqa: E402

from benchmarks.trace import chain_source  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
VIEWPORT = {"width": 1600, "height": 900}
LOAD_TIMEOUT_MS = 120_000
FRAMES_SECONDS = 3.0
PLAY_SPEED = "4"

# Each iteration makes three nodes (sin, mul, add) and x feeds every add: long edges.
LOOP = """import torch
x = torch.tensor(0.5, requires_grad=True)
h = x
for i in range({n}):
    h = torch.sin(h) * 1.01 + x
loss = h * h
loss.backward()
"""

MLP = """import torch
import torch.nn as nn
torch.manual_seed(0)
model = nn.Sequential({layers})
x = torch.randn(4, 8)
loss = model(x).pow(2).mean()
loss.backward()
"""


def mlp_source(depth: int) -> str:
    layers = ", ".join("nn.Linear(8, 8), nn.ReLU()" for _ in range(depth))
    return MLP.format(layers=layers)


@dataclass
class Result:
    workload: str
    nodes: int
    layout: str
    paint_ms: list[float]
    frame_ms: list[float]
    cost_ms: list[float]


def share_url(base: str, source: str) -> str:
    encoded = base64.urlsafe_b64encode(source.encode()).decode().rstrip("=")
    return f"{base}/#src={encoded}"


def load(page: Page, url: str) -> float:
    """Open the page on a program; the ms from its trace response to the painted graph."""
    page.goto("about:blank")
    page.goto(url)
    page.wait_for_function(
        "performance.getEntriesByName('chainrule:response-to-paint').length > 0",
        timeout=LOAD_TIMEOUT_MS,
    )
    duration: float = page.evaluate(
        "performance.getEntriesByName('chainrule:response-to-paint')[0].duration"
    )
    return duration


def play_backward(page: Page) -> tuple[list[float], list[float]]:
    """Frame intervals and per-frame paint costs while the backward phase plays."""
    page.locator("#speed").select_option(PLAY_SPEED)
    page.locator("#jump-backward").click()
    page.evaluate("window.__chainruleFrameCosts = []")
    intervals: list[float] = page.evaluate(
        """seconds => new Promise(resolve => {
            const times = [];
            document.getElementById('play').click();
            const until = performance.now() + seconds * 1000;
            function tick(now) {
                times.push(now);
                if (now < until) requestAnimationFrame(tick);
                else {
                    document.getElementById('play').click();
                    resolve(times.slice(1).map((t, i) => t - times[i]));
                }
            }
            requestAnimationFrame(tick);
        })""",
        FRAMES_SECONDS,
    )
    costs: list[float] = page.evaluate("window.__chainruleFrameCosts")
    page.evaluate("delete window.__chainruleFrameCosts")
    return intervals, costs


def measure(base: str, workloads: list[tuple[str, str]], repeat: int) -> list[Result]:
    results = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=VIEWPORT)
        for name, source in workloads:
            url = share_url(base, source)
            load(page, url)  # warm: the server's first trace of a program, caches
            paints = [load(page, url) for _ in range(repeat)]
            status = page.locator("#status").inner_text()
            nodes = page.locator("#graph g.node").count()
            layout = "quick" if "quick layout" in status else "elk"
            frames, costs = play_backward(page)
            results.append(Result(name, nodes, layout, paints, frames, costs))
            print(f"  {name}: {statistics.median(paints):.0f} ms", file=sys.stderr)
        browser.close()
    return results


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def table(results: list[Result]) -> str:
    lines = [
        "| workload | nodes drawn | layout | response → paint (median) | frame median | "
        "frame p95 | paint JS median | paint JS max |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        lines.append(
            f"| {r.workload} | {r.nodes} | {r.layout} | {statistics.median(r.paint_ms):.0f} ms "
            f"| {statistics.median(r.frame_ms):.1f} ms | {pct(r.frame_ms, 0.95):.1f} ms "
            f"| {statistics.median(r.cost_ms):.2f} ms | {max(r.cost_ms):.1f} ms |"
        )
    return "\n".join(lines)


def workloads(quick: bool) -> list[tuple[str, str]]:
    listed = [
        ("chain, ~100 nodes", chain_source(99)),
        ("loop with fan-out, ~100 nodes", LOOP.format(n=33)),
        ("chain, ~1,000 nodes", chain_source(999)),
        ("loop with fan-out, ~1,000 nodes", LOOP.format(n=333)),
        ("chain, ~3,000 nodes", chain_source(3000)),
        ("loop with fan-out, ~3,000 nodes", LOOP.format(n=1000)),
        ("MLP, 60 x (Linear, ReLU): modules collapsed", mlp_source(60)),
    ]
    return listed[:2] if quick else listed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="two small workloads, one run")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, serve(Path(folder)) as server:
        results = measure(server.base_url, workloads(args.quick), 1 if args.quick else args.repeat)
    print(table(results))


if __name__ == "__main__":
    main()
