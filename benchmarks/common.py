"""Timing helpers and the result row every benchmark prints."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Row:
    """One line of the benchmark table: chainrule against a floor, and a target ratio."""

    workload: str
    chainrule: float | None  # seconds, or bytes for size rows
    floor: float | None
    target: float | None  # the ratio chainrule / floor must stay at or under
    unit: str = "ms"
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.chainrule is None or not self.floor:
            return None
        return self.chainrule / self.floor

    @property
    def holds(self) -> str:
        if self.target is None or self.ratio is None:
            return "-"
        return "yes" if self.ratio <= self.target else "NO"


def median_time(fn: Callable[[], object], repeat: int, warmup: int = 1) -> float:
    """Median wall time of `fn` in seconds over `repeat` runs after `warmup` runs."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "ms":
        return f"{value * 1000:.2f} ms"
    if unit == "B":
        return f"{value:.0f} B"
    return f"{value:.1f} {unit}"


def table(rows: list[Row]) -> str:
    """A Markdown table of the rows."""
    lines = ["| workload | chainrule | floor | ratio | target | holds | note |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        ratio = f"{r.ratio:.2f}x" if r.ratio is not None else "-"
        target = f"≤ {r.target:g}x" if r.target is not None else "-"
        lines.append(f"| {r.workload} | {_fmt(r.chainrule, r.unit)} | {_fmt(r.floor, r.unit)} "
                     f"| {ratio} | {target} | {r.holds} | {r.note} |")
    return "\n".join(lines)
