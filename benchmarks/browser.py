"""The page in headless Chromium: time from the trace response to the first complete paint,
and frame times while the backward phase plays.

    python -m benchmarks.browser [--quick]

Each workload is opened through a share link (`#src=...`), so the page runs it on load, on
the page's test entry point (`?testing`, frontend/js/app/testing.js), which lets the page
report each frame's cost.
"Response to paint" is the page's own performance measure, from the trace's response to
the second animation frame after what the view shows was drawn (so it has been painted);
"laid out" and "drawn" are the page's marks on the way, "longest task" the longest
main-thread task in between (how long the page could not answer input). A graph ELK lays
out is painted with the quick layout when ELK has not answered soon after the response
(its worker is cold in a fresh page), and then moved to ELK's coordinates: its layout reads
"quick → elk", and "ELK in place" is when ELK's coordinates were put in (the move starts
there). "In DOM" counts
the node groups in the document a second later: only what is in or near the view is
drawn. "Frames" are animation-frame intervals while the backward phase plays at 4 steps
per second; "paint" is the page's JavaScript time per frame (timeline frame + DOM updates)."""

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
SETTLE_MS = 1000
PLAY_SPEED = "4"

# Each iteration makes three nodes (sin, mul, add) and x feeds every add: long edges.
LOOP = """import torch
x = torch.tensor(0.5, requires_grad=True)
h = x
{loops}    h = torch.sin(h) * 1.01 + x
loss = h * h
loss.backward()
"""
MAX_RANGE = 1000  # the language's range() limit per loop (settings.MAX_LOOP_ITERATIONS)

MLP = """import torch
import torch.nn as nn
torch.manual_seed(0)
model = nn.Sequential({layers})
x = torch.randn(4, 8)
loss = model(x).pow(2).mean()
loss.backward()
"""


def loop_source(n: int) -> str:
    """The fan-out loop with `n` iterations (3n + 3 nodes), nested when n > MAX_RANGE."""
    if n <= MAX_RANGE:
        return LOOP.format(loops=f"for i in range({n}):\n")
    outer = -(-n // MAX_RANGE)
    if n % outer:
        raise ValueError(f"{n} iterations do not split into {outer} equal loops")
    return LOOP.format(loops=f"for i in range({outer}):\n  for j in range({n // outer}):\n  ")


def mlp_source(depth: int) -> str:
    layers = ", ".join("nn.Linear(8, 8), nn.ReLU()" for _ in range(depth))
    return MLP.format(layers=layers)


@dataclass
class Result:
    workload: str
    nodes: int
    in_dom: int
    layout: str
    loads: list[Load]
    frame_ms: list[float]
    cost_ms: list[float]


# The page's test entry point: window.__chainruleTest, for the frame costs.
TESTING_QUERY = "?testing"


def share_url(base: str, source: str | None) -> str:
    """The page opened on `source`; None: the page as it opens, on its own seed program."""
    if source is None:
        return f"{base}/{TESTING_QUERY}"
    encoded = base64.urlsafe_b64encode(source.encode()).decode().rstrip("=")
    return f"{base}/{TESTING_QUERY}#src={encoded}"


@dataclass
class Load:
    """One page load, in ms from the trace response: laid out, drawn (in the DOM), painted;
    and the longest main-thread task between the response and the paint (the page is frozen
    for that long)."""

    laid_out: float
    drawn: float
    painted: float
    longest_task: float
    relaid: float | None = None  # ELK's coordinates put in after a quick first paint


# Long tasks (over 50 ms) of the page's main thread, from the start of the page.
LONG_TASKS = """
window.__chainruleLongTasks = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.__chainruleLongTasks.push([e.startTime, e.duration]);
}).observe({ type: "longtask", buffered: true });
"""

# After a quick first paint standing in for ELK's layout, when ELK's came (null: it did not).
READ_RELAID = """() => {
  const response = performance.getEntriesByName('chainrule:response')[0].startTime;
  const relaid = performance.getEntriesByName('chainrule:relaid-out')[0];
  return relaid ? relaid.startTime - response : null;
}"""

READ_LOAD = """() => {
  const at = (name) => performance.getEntriesByName(name)[0].startTime;
  const response = at('chainrule:response');
  const painted = at('chainrule:painted');
  const tasks = window.__chainruleLongTasks
    .filter(([start, d]) => start + d > response && start < painted)
    .map(([start, d]) => Math.min(start + d, painted) - Math.max(start, response));
  return {
    laid_out: at('chainrule:laid-out') - response,
    drawn: at('chainrule:drawn') - response,
    painted: painted - response,
    longest_task: Math.max(0, ...tasks),
  };
}"""


def load(page: Page, url: str) -> Load:
    """Open the page on a program and time it from its trace response to the painted graph."""
    page.goto("about:blank")
    page.goto(url)
    page.wait_for_function(
        "performance.getEntriesByName('chainrule:response-to-paint').length > 0",
        timeout=LOAD_TIMEOUT_MS,
    )
    # The long-task observer reports a task after it ended: give it a frame to do so.
    page.evaluate("new Promise(requestAnimationFrame)")
    measured = page.evaluate(READ_LOAD)
    page.wait_for_function("document.body.dataset.layout !== 'interim'", timeout=LOAD_TIMEOUT_MS)
    return Load(**measured, relaid=page.evaluate(READ_RELAID))


def play_backward(page: Page) -> tuple[list[float], list[float]]:
    """Frame intervals and per-frame paint costs while the backward phase plays."""
    page.locator("#speed").select_option(PLAY_SPEED)
    page.locator("#jump-backward").click()
    page.evaluate("window.__chainruleTest.frameCosts = []")
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
    costs: list[float] = page.evaluate("window.__chainruleTest.frameCosts")
    page.evaluate("window.__chainruleTest.frameCosts = null")
    return intervals, costs


def measure(base: str, workloads: list[tuple[str, str | None]], repeat: int) -> list[Result]:
    results = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=VIEWPORT)
        page.add_init_script(LONG_TASKS)
        for name, source in workloads:
            url = share_url(base, source)
            load(page, url)  # warm: the server's first trace of a program, caches
            loads = [load(page, url) for _ in range(repeat)]
            status = page.locator("#status").inner_text()
            nodes = int(status.split(" node")[0].replace(",", ""))
            page.wait_for_timeout(SETTLE_MS)  # the window's margin is drawn after the paint
            in_dom = page.locator("#graph g.node").count()
            layout = "quick" if "quick layout" in status else "elk"
            if any(x.relaid is not None for x in loads):
                layout = "quick → elk"
            frames, costs = play_backward(page)
            results.append(Result(name, nodes, in_dom, layout, loads, frames, costs))
            painted = statistics.median(x.painted for x in loads)
            print(f"  {name}: {painted:.0f} ms", file=sys.stderr)
        browser.close()
    return results


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def med(loads: list[Load], field: str) -> float:
    return statistics.median(getattr(x, field) for x in loads)


def table(results: list[Result]) -> str:
    lines = [
        "| workload | nodes | in DOM | layout | laid out | drawn | response → paint (median) | "
        "ELK in place | longest task | frame median | frame p95 | paint JS median | "
        "paint JS max |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        relaid = [x.relaid for x in r.loads if x.relaid is not None]
        elk = f"{statistics.median(relaid):.0f} ms" if relaid else "–"
        lines.append(
            f"| {r.workload} | {r.nodes} | {r.in_dom} | {r.layout} "
            f"| {med(r.loads, 'laid_out'):.0f} ms "
            f"| {med(r.loads, 'drawn'):.0f} ms | {med(r.loads, 'painted'):.0f} ms | {elk} "
            f"| {med(r.loads, 'longest_task'):.0f} ms "
            f"| {statistics.median(r.frame_ms):.1f} ms | {pct(r.frame_ms, 0.95):.1f} ms "
            f"| {statistics.median(r.cost_ms):.2f} ms | {max(r.cost_ms):.1f} ms |"
        )
    return "\n".join(lines)


def workloads(quick: bool) -> list[tuple[str, str | None]]:
    listed: list[tuple[str, str | None]] = [
        ("chain, ~100 nodes", chain_source(99)),
        ("loop with fan-out, ~100 nodes", loop_source(33)),
        ("chain, ~1,000 nodes", chain_source(999)),
        ("loop with fan-out, ~1,000 nodes", loop_source(333)),
        ("chain, ~3,000 nodes", chain_source(3000)),
        ("loop with fan-out, ~3,000 nodes", loop_source(1000)),
        ("chain, ~5,000 nodes", chain_source(5000)),
        ("loop with fan-out, ~5,000 nodes", loop_source(1666)),
        ("MLP, 60 x (Linear, ReLU): modules collapsed", mlp_source(60)),
        ("the page's seed program (ELK)", None),
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
