"""Serving under load: concurrent clients against a real server on a loopback port.

    python -m benchmarks.load [--clients 32] [--seconds 10] [--workers N] [--timeout-s S]

Starts `python -m chainrule serve` on a free 127.0.0.1 port (tests/server.py), then runs
four phases, each bounded by time (--seconds) and by count (--max-requests):

    health   GET /api/v1/health: the HTTP stack's floor
    seed     POST the seed program
    benign   the seed program and a small Sequential + MSE program, alone
    mixed    the same benign programs, with 10% hostile requests among them: a program
             past the wall clock, a resource bomb and a sandbox escape, in turn

and prints Markdown tables: requests/s, latency percentiles, status counts, and the
targets (seed p50 within 3x of health p50; seed throughput at least half of health's;
benign p99 under hostile load within 2x of benign p99 alone; no 5xx).

The clients are plain asyncio streams speaking HTTP/1.1 with keep-alive, one connection
each, so the client's own cost stays small beside the server's.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests.server import HOST, LiveServer, serve

from benchmarks.common import Row, table
from chainrule.content.examples import SEED_SOURCE

SEED = SEED_SOURCE  # the textbook cell every page opens with
SEQUENTIAL_MSE = """import torch
import torch.nn as nn
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
x = torch.randn(16, 4)
target = torch.randn(16, 1)
loss = nn.MSELoss()(model(x), target)
loss.backward()
"""
PAST_WALL_CLOCK = """import torch
v = torch.ones(100000)
for i in range(1000):
    for j in range(1000):
        s = torch.dot(v, v)
"""
RESOURCE_BOMB = "import torch\nx = torch.ones(100000) * torch.ones(100000, 1)\n"
SANDBOX_ESCAPE = "x = ().__class__.__bases__[0].__subclasses__()\n"

BENIGN = (("seed", SEED), ("sequential-mse", SEQUENTIAL_MSE))
HOSTILE = (("past-wall-clock", PAST_WALL_CLOCK), ("resource-bomb", RESOURCE_BOMB),
           ("sandbox-escape", SANDBOX_ESCAPE))
HOSTILE_SHARE = 0.10
TRACE = "/api/v1/trace"
HEALTH = "/api/v1/health"


@dataclass(frozen=True)
class Request:
    kind: str  # the workload's name
    hostile: bool
    method: str
    path: str
    body: bytes | None


@dataclass(frozen=True)
class Result:
    request: Request
    status: int  # 0: the connection failed
    seconds: float


@dataclass
class Phase:
    """Every result of one phase, and how long it ran."""

    name: str
    results: list[Result] = field(default_factory=list)
    seconds: float = 0.0

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


def trace_request(kind: str, source: str, hostile: bool) -> Request:
    return Request(kind, hostile, "POST", TRACE, json.dumps({"source": source}).encode())


HEALTH_REQUEST = Request("health", False, "GET", HEALTH, None)
SEED_REQUEST = trace_request("seed", SEED, False)


def benign_mix(rng: random.Random) -> Request:
    kind, source = rng.choice(BENIGN)
    return trace_request(kind, source, False)


def make_hostile_mix() -> Callable[[random.Random], Request]:
    """Benign programs, and every tenth-or-so request hostile, the three kinds in turn."""
    turn = {"next": 0}

    def pick(rng: random.Random) -> Request:
        if rng.random() >= HOSTILE_SHARE:
            return benign_mix(rng)
        kind, source = HOSTILE[turn["next"] % len(HOSTILE)]
        turn["next"] += 1
        return trace_request(kind, source, True)
    return pick


class Connection:
    """One keep-alive HTTP/1.1 connection; reconnects when the server closed it."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def send(self, request: Request) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
        assert self.reader is not None
        head = f"{request.method} {request.path} HTTP/1.1\r\nHost: {HOST}:{self.port}\r\n"
        if request.body is not None:
            head += (f"Content-Type: application/json\r\n"
                     f"Content-Length: {len(request.body)}\r\n")
        self.writer.write(head.encode() + b"\r\n" + (request.body or b""))
        status = int((await self.reader.readline()).split()[1])
        length, close = 0, False
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "connection" and value.strip().lower() == "close":
                close = True
        await self.reader.readexactly(length)
        if close:
            await self.close()
        return status

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None


async def run_phase(name: str, port: int, clients: int, seconds: float, max_requests: int,
                    pick: Callable[[random.Random], Request], seed: int = 0) -> Phase:
    """`clients` closed-loop clients, each sending its next request when the last one
    answered, until `seconds` pass or `max_requests` have been sent."""
    phase = Phase(name)
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
        finally:
            await connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(client(i) for i in range(clients)))
    phase.seconds = time.perf_counter() - started
    return phase


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def phase_table(phases: list[Phase]) -> str:
    lines = ["| phase | requests | req/s | p50 | p95 | p99 | 2xx | 4xx | 5xx | failed |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for p in phases:
        lines.append(f"| {p.name} | {len(p.results)} | {p.rate:.1f} | {_ms(p.percentile(50))} "
                     f"| {_ms(p.percentile(95))} | {_ms(p.percentile(99))} | {p.count(2)} "
                     f"| {p.count(4)} | {p.count(5)} | {p.failed} |")
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


@dataclass
class Measured:
    """Everything one load run measured."""

    first_seed: float  # seconds: the first seed request after start, on a fresh worker
    health_one: Phase  # one client, health: latency without queueing
    seed_one: Phase  # one client, the seed
    health: Phase  # `clients` clients from here on
    seed: Phase
    benign: Phase
    mixed: Phase

    @property
    def loaded(self) -> list[Phase]:
        return [self.health, self.seed, self.benign, self.mixed]

    @property
    def phases(self) -> list[Phase]:
        return [self.health_one, self.seed_one, *self.loaded]


SINGLE_CLIENT_SECONDS = 3.0


def target_rows(m: Measured, clients: int) -> list[Row]:
    errors = sum(1 for r in m.seed.results if r.status // 100 != 2)
    return [
        Row("seed p50 against health p50, one client", m.seed_one.percentile(50),
            m.health_one.percentile(50), 3.0, note="end to end on loopback, no queueing"),
        Row(f"seed p50 against health p50, {clients} clients", m.seed.percentile(50),
            m.health.percentile(50), None, note="for reference: mostly queueing"),
        Row(f"time per request at full load (1 / throughput), {clients} clients: seed against "
            "health", 1 / m.seed.rate, 1 / m.health.rate, 2.0,
            note="≤ 2x means seed throughput ≥ 50% of health's"),
        Row(f"errors among {len(m.seed.results)} seed requests, {clients} clients",
            float(errors), None, None, unit="", note="target 0: " +
            ("holds" if errors == 0 else "MISSED")),
        Row("first seed request after start (fresh workers) against the seed p50, one client",
            m.first_seed, m.seed_one.percentile(50), None,
            note="workers are forked from a fork server that imported torch and traced once"),
        Row("benign p99: under 10% hostile load against alone", m.mixed.percentile(99),
            m.benign.percentile(99), 2.0),
    ]


async def measure(server: LiveServer, clients: int, seconds: float,
                  max_requests: int) -> Measured:
    port = server.port
    first = Connection(port)
    started = time.perf_counter()
    await first.send(SEED_REQUEST)
    first_seed = time.perf_counter() - started
    await first.close()
    # Warm-up: every worker has run a trace, and the connections' first costs are paid.
    await run_phase("warm-up", port, clients, 2.0, 200, lambda _: SEED_REQUEST)
    one = min(seconds, SINGLE_CLIENT_SECONDS)
    health_one = await run_phase("health, one client", port, 1, one, max_requests,
                                 lambda _: HEALTH_REQUEST)
    seed_one = await run_phase("seed, one client", port, 1, one, max_requests,
                               lambda _: SEED_REQUEST)
    health = await run_phase("health", port, clients, seconds, max_requests,
                             lambda _: HEALTH_REQUEST)
    seed = await run_phase("seed", port, clients, seconds, max_requests, lambda _: SEED_REQUEST)
    benign = await run_phase("benign alone", port, clients, seconds, max_requests, benign_mix,
                             seed=1)
    mixed = await run_phase("benign + 10% hostile", port, clients, seconds, max_requests,
                            make_hostile_mix(), seed=2)
    return Measured(first_seed, health_one, seed_one, health, seed, benign, mixed)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each phase")
    parser.add_argument("--max-requests", type=int, default=20_000,
                        help="requests per phase at most")
    parser.add_argument("--workers", type=int, default=None,
                        help="worker processes (default: the server's, one per core)")
    parser.add_argument("--timeout-s", type=float, default=None,
                        help="the server's wall-clock limit per program (default: its own)")
    args = parser.parse_args()
    env = {}
    if args.workers is not None:
        env["CHAINRULE_WORKERS"] = str(args.workers)
    if args.timeout_s is not None:
        env["CHAINRULE_TIMEOUT_S"] = str(args.timeout_s)
    with tempfile.TemporaryDirectory() as folder, serve(Path(folder), env) as server:
        measured = asyncio.run(measure(server, args.clients, args.seconds, args.max_requests))
        alive = server.process.poll() is None
    print(f"{args.clients} clients, {args.seconds:g} s per phase, server env {env or 'defaults'}, "
          f"{os.cpu_count()} cores; server alive at the end: {alive}\n")
    print(phase_table(measured.phases))
    print("\nLatency percentiles are of benign requests only.\n")
    print(kinds_table(measured.mixed))
    print()
    print(table(target_rows(measured, args.clients)))
    print(f"\n5xx responses in all phases: {sum(p.count(5) for p in measured.phases)}")


if __name__ == "__main__":
    main()
