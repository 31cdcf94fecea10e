"""Closed-loop load phases: clients that each send their next request when the last one
was answered, the results of a phase, and their Markdown tables (benchmarks/load.py)."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from benchmarks.client import Connection, Request, Result, cpu_seconds, main_thread_cpu_seconds


@dataclass
class Phase:
    """Every result of one phase, and how long it ran."""

    name: str
    results: list[Result] = field(default_factory=list)
    seconds: float = 0.0
    cpu_s: float | None = None  # the web process's own CPU time during the phase
    loop_cpu_s: float | None = None  # the part of it on the main thread (the event loop)

    @property
    def cpu_per_request(self) -> float | None:
        if self.cpu_s is None or not self.results:
            return None
        return self.cpu_s / len(self.results)

    @property
    def loop_cpu_per_request(self) -> float | None:
        if self.loop_cpu_s is None or not self.results:
            return None
        return self.loop_cpu_s / len(self.results)

    @property
    def rate(self) -> float:
        return len(self.results) / self.seconds if self.seconds else 0.0

    def latencies(self, benign_only: bool = True) -> list[float]:
        return sorted(r.seconds for r in self.results
                      if not (benign_only and r.request.hostile))

    def percentile(self, q: float) -> float:
        """Nearest-rank percentile of the benign requests' latency, in seconds."""
        values = self.latencies()
        if not values:
            return float("nan")
        return values[min(len(values) - 1, max(0, round(q / 100 * len(values)) - 1))]

    def count(self, status_class: int) -> int:
        return sum(1 for r in self.results if r.status // 100 == status_class)

    @property
    def failed(self) -> int:
        return sum(1 for r in self.results if r.status == 0)


async def run_phase(name: str, port: int, clients: int, seconds: float, max_requests: int,
                    pick: Callable[[random.Random], Request], seed: int = 0,
                    pid: int | None = None, think_s: float = 0.0) -> Phase:
    """`clients` closed-loop clients, each sending its next request when the last one
    answered (and `think_s` more seconds passed), until `seconds` pass or `max_requests`
    have been sent. With `pid`, the phase's `cpu_s` is that process's CPU time over the
    phase."""
    phase = Phase(name)
    cpu_before = cpu_seconds(pid) if pid is not None else 0.0
    loop_before = main_thread_cpu_seconds(pid) if pid is not None else 0.0
    deadline = time.perf_counter() + seconds
    budget = {"left": max_requests}

    async def client(index: int) -> None:
        rng = random.Random(seed * 1000 + index)
        connection = Connection(port)
        try:
            while time.perf_counter() < deadline and budget["left"] > 0:
                budget["left"] -= 1
                request = pick(rng)
                started = time.perf_counter()
                try:
                    status = await connection.send(request)
                except (ConnectionError, OSError, asyncio.IncompleteReadError, ValueError,
                        IndexError):
                    status = 0
                    await connection.close()
                phase.results.append(Result(request, status, time.perf_counter() - started))
                if think_s:
                    await asyncio.sleep(think_s)
        finally:
            await connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(client(i) for i in range(clients)))
    phase.seconds = time.perf_counter() - started
    if pid is not None:
        phase.cpu_s = cpu_seconds(pid) - cpu_before
        phase.loop_cpu_s = main_thread_cpu_seconds(pid) - loop_before
    return phase


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def phase_table(phases: list[Phase]) -> str:
    lines = ["| phase | requests | req/s | p50 | p95 | p99 | 2xx | 4xx | 5xx | failed "
             "| web CPU per request (event loop) |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for p in phases:
        cpu, loop = p.cpu_per_request, p.loop_cpu_per_request
        lines.append(f"| {p.name} | {len(p.results)} | {p.rate:.1f} | {_ms(p.percentile(50))} "
                     f"| {_ms(p.percentile(95))} | {_ms(p.percentile(99))} | {p.count(2)} "
                     f"| {p.count(4)} | {p.count(5)} | {p.failed} "
                     f"| {'-' if cpu is None or loop is None else f'{_ms(cpu)} ({_ms(loop)})'} |")
    return "\n".join(lines)


def kinds_table(phase: Phase) -> str:
    """Per workload: count, statuses seen and median latency."""
    lines = ["| workload | requests | statuses | p50 |", "| --- | --- | --- | --- |"]
    kinds = sorted({r.request.kind for r in phase.results})
    for kind in kinds:
        mine = [r for r in phase.results if r.request.kind == kind]
        statuses = ", ".join(f"{s}: {sum(1 for r in mine if r.status == s)}"
                             for s in sorted({r.status for r in mine}))
        median = sorted(r.seconds for r in mine)[len(mine) // 2]
        lines.append(f"| {kind} | {len(mine)} | {statuses} | {_ms(median)} |")
    return "\n".join(lines)
