"""Every benchmark in one run, one table: `python -m benchmarks [--quick]`.

Trace + serialise against the bare forward + backward (and the interpreter alone, which
bounds it) and against torchviz's make_dot; a 10,000-op chain; response size per node;
serving latency and throughput against the trivial health endpoint, first request on
fresh workers, benign latency under hostile load and beside slow and large-response
clients, the web process's CPU per large gzip trace; the browser from response to
painted graph at 100 to 5,000 nodes, and frames while backward plays; the offline player
(issue 17): recorded in-process, saved, opened from file://. Never asserted in
tests: the figures go to docs/benchmarks.md with the machine they ran on.
"""

from __future__ import annotations

import asyncio
import os
import platform
import statistics
import sys
import tempfile
import threading
from pathlib import Path

from tests.server import serve

from benchmarks import browser, load, offline, trace
from benchmarks.common import Row, table
from chainrule.pipeline import trace_to_json, warm_up
from chainrule.sandbox.worker import compressed

SIZE_TARGET_BYTES_PER_NODE = 400
CLIENTS = 32


def size_rows() -> list[Row]:
    """Bytes per node of the 1,000-op chain's response in each API version, as the worker
    gzips it for the wire and before."""
    rows = []
    for api in (1, 2):
        body = trace_to_json(trace.chain_source(1000), api=api)
        nodes = body.count(b'"kind":')
        rows.append(Row(
            f"response size, chain 1,000 ops, per node (API v{api}, gzip on the wire)",
            len(compressed(body).body) / nodes, SIZE_TARGET_BYTES_PER_NODE, 1.0, unit="B",
            note=f"{len(body) / nodes:.0f} B per node before gzip; floor column is the target"))
    return rows


def serving_rows(quick: bool) -> list[Row]:
    seconds = 4.0 if quick else 10.0
    with tempfile.TemporaryDirectory() as folder, serve(Path(folder)) as server:
        measured = asyncio.run(load.measure(server, CLIENTS, seconds, 20_000))
    errors = measured.five_hundreds
    return load.target_rows(measured, CLIENTS) + [
        Row("5xx responses under load and attack", float(errors), None, None, unit="",
            note="target 0: " + ("holds" if errors == 0 else "MISSED")),
    ]


# Response to painted graph, per size (issue 7): nodes at most -> seconds.
PAINT_TARGETS_S = ((150, 0.15), (1500, 1.0), (6000, 4.0))
# Median frame while backward plays, 1,000 nodes: the "under 16 ms" is the 60 Hz
# frame budget; a frame that makes its vsync lasts 1/60 s (16.7 ms), within 5 % jitter.
FRAME_BUDGET_S = 1 / 60
FRAME_JITTER = 1.05


def _paint_target(nodes: int) -> float:
    return next(seconds for most, seconds in PAINT_TARGETS_S if nodes <= most)


def browser_rows(quick: bool) -> list[Row]:
    """Headless Chromium on the real page: response to painted graph, frames while playing."""
    with tempfile.TemporaryDirectory() as folder, serve(Path(folder)) as server:
        results = browser.measure(server.base_url, browser.workloads(quick), 1 if quick else 3)
    rows = []
    for r in results:
        painted = statistics.median(x.painted for x in r.loads) / 1000
        longest = statistics.median(x.longest_task for x in r.loads)
        rows.append(Row(f"browser: {r.workload}, response to painted graph", painted,
                        _paint_target(r.nodes), 1.0,
                        note=f"{r.nodes} nodes, {r.layout} layout, longest main-thread task "
                             f"{longest:.0f} ms; floor column is the target"))
    for r in results:
        if 500 <= r.nodes <= 1500:
            rows.append(Row(f"browser: {r.workload}, median frame while backward plays",
                            statistics.median(r.frame_ms) / 1000, FRAME_BUDGET_S, FRAME_JITTER,
                            note=f"floor column is one 60 Hz vsync; page JS per frame "
                                 f"{statistics.median(r.cost_ms):.2f} ms (median)"))
    return rows


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{os.cpu_count()} cores ({model}), Python {platform.python_version()}, "
            f"load average {os.getloadavg()[0]:.1f} at the start")


def main() -> None:
    quick = "--quick" in sys.argv
    print(f"Machine: {machine()}\n")
    rows: list[Row] = []
    warm_up()
    threading.stack_size(512 * 1024 * 1024)  # deep graphs, as the server runs them
    worker = threading.Thread(target=lambda: rows.extend(trace.rows(quick) + size_rows()))
    worker.start()
    worker.join()
    rows += serving_rows(quick)
    rows += browser_rows(quick)
    rows += offline.rows(1 if quick else 3)
    print(table(rows))


if __name__ == "__main__":
    main()
