"""Serving under load: concurrent clients against a real server on a loopback port.

    python -m benchmarks.load [--clients 32] [--seconds 10] [--workers N] [--timeout-s S]

Starts `python -m chainrule serve` on a free 127.0.0.1 port (tests/server.py), then runs
these phases, each bounded by time (--seconds) and by count (--max-requests):

    health     GET /api/v1/health: the HTTP stack's floor
    seed       POST the seed program
    benign     the seed program and a small Sequential + MSE program, alone
    mixed      the same benign programs, with 10% hostile requests among them: a program
               past the wall clock, a resource bomb and a sandbox escape, in turn
    large      a few clients posting a program whose response is near the size limit, with
               Accept-Encoding: gzip (the web process's CPU per request, against health's
               with as many clients each pausing as long as a large trace takes, so the
               server idles between requests as it does for the trace), and the same
               without gzip
    attacked   the benign programs alone, then beside slow clients and large-response
               clients (benchmarks/attackers.py), with as many fewer benign clients as the
               attackers have traces in flight; each at least as long as the body read
               timeout, so the slow clients are seen dropped

and prints Markdown tables: requests/s, latency percentiles, status counts, the web
process's own CPU time per request (from /proc, its worker processes excluded), and the
targets (seed p50 within 3x of health p50; seed throughput at least half of health's;
benign p99 under hostile load, and under attack, within 2x of benign p99 alone; web CPU
per large gzip trace within 5x of health's at the same pace; no 5xx).

The clients are plain asyncio streams speaking HTTP/1.1 with keep-alive, one connection
each (benchmarks/client.py), so the client's own cost stays small beside the server's.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.server import LiveServer, serve

from benchmarks import attackers
from benchmarks.client import GZIP, HEALTH, Connection, Request, rss_bytes, trace_request
from benchmarks.common import Row, table
from benchmarks.phases import Phase, kinds_table, phase_table, run_phase
from chainrule.content.examples import SEED_SOURCE
from chainrule.settings import ServerSettings

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


HEALTH_REQUEST = Request("health", False, "GET", HEALTH, None)
SEED_REQUEST = trace_request("seed", SEED, False)
# The near-limit program, read at once: what the web process spends on a large gzip trace.
LARGE_REQUEST = trace_request("large, gzip", attackers.listed_chain(attackers.LARGE_OPS),
                              False, GZIP)
# The same without gzip, for reference: what the web process spends per MB it passes on.
LARGE_PLAIN_REQUEST = trace_request("large, no gzip",
                                    attackers.listed_chain(attackers.LARGE_OPS), False)
LARGE_CLIENTS = 4
LARGE_SECONDS = 5.0


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
    health_few: Phase  # LARGE_CLIENTS clients, health: the web CPU floor at that concurrency
    large: Phase  # as many clients, the near-limit program with gzip: the web process's CPU
    large_plain: Phase  # the same without gzip
    health_paced: Phase  # LARGE_CLIENTS clients, health, each pausing the large trace's
    # median latency between requests: the web CPU floor at the large phase's request rate
    benign_few: Phase  # benign alone with the attacked phase's clients, just before it
    attacked: Phase  # as many benign clients, beside the attackers
    attack: list[attackers.Stats]
    rss_before: int  # the web process's resident memory before the attacked phase
    rss_peak: int  # and its highest during it (sampled)

    @property
    def loaded(self) -> list[Phase]:
        return [self.health, self.seed, self.benign, self.mixed, self.health_few, self.large,
                self.large_plain, self.health_paced, self.benign_few, self.attacked]

    @property
    def five_hundreds(self) -> int:
        """5xx responses in every phase and to every attacker."""
        return (sum(p.count(5) for p in self.phases)
                + sum(n for s in self.attack for code, n in s.statuses.items()
                      if code // 100 == 5))

    @property
    def phases(self) -> list[Phase]:
        return [self.health_one, self.seed_one, *self.loaded]


SINGLE_CLIENT_SECONDS = 3.0
CPU_TARGET = 5.0  # web CPU per large gzip trace against per health request at its pace
SLOW_DROP_TARGET = 1.5  # a slow client held at most this times its read timeout
RSS_SAMPLE_EVERY_S = 0.25


def _attack_rows(m: Measured, clients: int) -> list[Row]:
    settings = ServerSettings.from_env()
    timeouts = {"partial headers": settings.header_timeout_s,
                "partial body": settings.body_timeout_s}
    rows = [
        Row("benign p99: beside slow and large-response clients against alone, "
            f"{attacked_clients(clients)} clients",
            m.attacked.percentile(99), m.benign_few.percentile(99), 2.0,
            note="alone: the phase just before; attackers: benchmarks/attackers.py"),
    ]
    for s in m.attack:
        if s.kind in timeouts:
            rows.append(Row(f"slow clients, {s.kind}: held until dropped (median) against the "
                            "read timeout", s.median_s, timeouts[s.kind], SLOW_DROP_TARGET,
                            note=f"{s.dropped} of {s.connections} connections dropped, "
                                 f"statuses {dict(sorted(s.statuses.items()))}"))
    rows.append(Row(f"web process CPU per request, {LARGE_CLIENTS} clients: large trace with "
                    "gzip against health at the same pace", m.large.cpu_per_request,
                    m.health_paced.cpu_per_request, CPU_TARGET,
                    note=f"worker processes excluded; {len(m.large.results)} traces of "
                         f"{attackers.LARGE_OPS} listed 1,024-element ops (~7.4 MB in v1); "
                         "health's clients pause the trace's median latency between "
                         "requests"))
    rows.append(Row(f"web process CPU per request, {LARGE_CLIENTS} clients: large trace with "
                    "gzip against health back to back", m.large.cpu_per_request,
                    m.health_few.cpu_per_request, None,
                    note="for reference: a server that never idles between requests"))
    rows.append(Row(f"web process CPU per request, {LARGE_CLIENTS} clients: the same trace "
                    "without gzip against health", m.large_plain.cpu_per_request,
                    m.health_few.cpu_per_request, None,
                    note="for reference: the web process's cost per MB it passes on"))
    rows.append(Row(f"web process CPU per request, {clients} clients: seed against health",
                    m.seed.cpu_per_request, m.health.cpu_per_request, None,
                    note="for reference: any trace's fixed cost"))
    rows.append(Row("web process resident memory: peak under attack against before",
                    m.rss_peak / 2**20, m.rss_before / 2**20, None, unit="MiB",
                    note="for reference: the never-read connections' buffers"))
    return rows


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
        *_attack_rows(m, clients),
    ]


async def run_attacked(server: LiveServer, clients: int, seconds: float, max_requests: int,
                       slow_clients: int) -> tuple[Phase, Phase, list[attackers.Stats], int, int]:
    """The benign mix alone, then beside the attackers, with as many benign clients; with
    the attackers' counts and the web process's resident memory before and at its highest.
    """
    pid = server.process.pid
    benign_clients = attacked_clients(clients)
    alone = await run_phase(f"benign alone, {benign_clients} clients", server.port,
                            benign_clients, seconds, max_requests, benign_mix, seed=3, pid=pid)
    rss_before = rss_peak = rss_bytes(pid)
    attack = attackers.Attack(server.port, slow_clients)

    async def sample() -> None:
        nonlocal rss_peak
        while True:
            rss_peak = max(rss_peak, rss_bytes(pid))
            await asyncio.sleep(RSS_SAMPLE_EVERY_S)

    sampler = asyncio.ensure_future(sample())
    attack.start()
    try:
        phase = await run_phase(f"benign under attack, {benign_clients} clients", server.port,
                                benign_clients, seconds, max_requests, benign_mix, seed=4,
                                pid=pid)
    finally:
        stats = await attack.stop()
        sampler.cancel()
    return alone, phase, stats, rss_before, rss_peak


def attacked_clients(clients: int) -> int:
    """Benign clients beside the attackers: as many fewer as the attackers have traces in
    the server at once (attackers.TRACE_CLIENTS)."""
    return max(1, clients - attackers.TRACE_CLIENTS)


def attack_seconds(seconds: float) -> float:
    """The attacked phase's length: `seconds`, and long enough to see slow bodies dropped."""
    settings = ServerSettings.from_env()
    return max(seconds, settings.body_timeout_s + 2.0)


async def measure(server: LiveServer, clients: int, seconds: float,
                  max_requests: int, slow_clients: int = 100) -> Measured:
    port, pid = server.port, server.process.pid
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
                             lambda _: HEALTH_REQUEST, pid=pid)
    seed = await run_phase("seed", port, clients, seconds, max_requests, lambda _: SEED_REQUEST,
                           pid=pid)
    benign = await run_phase("benign alone", port, clients, seconds, max_requests, benign_mix,
                             seed=1, pid=pid)
    mixed = await run_phase("benign + 10% hostile", port, clients, seconds, max_requests,
                            make_hostile_mix(), seed=2, pid=pid)
    few = min(seconds, LARGE_SECONDS)
    health_few = await run_phase(f"health, {LARGE_CLIENTS} clients", port, LARGE_CLIENTS, few,
                                 max_requests, lambda _: HEALTH_REQUEST, pid=pid)
    large = await run_phase(f"large trace, gzip, {LARGE_CLIENTS} clients", port,
                            LARGE_CLIENTS, few, max_requests, lambda _: LARGE_REQUEST, pid=pid)
    large_plain = await run_phase(f"large trace, no gzip, {LARGE_CLIENTS} clients", port,
                                  LARGE_CLIENTS, few, max_requests,
                                  lambda _: LARGE_PLAIN_REQUEST, pid=pid)
    health_paced = await run_phase(f"health, {LARGE_CLIENTS} clients at the large trace's pace",
                                   port, LARGE_CLIENTS, few, max_requests,
                                   lambda _: HEALTH_REQUEST, pid=pid,
                                   think_s=large.percentile(50))
    benign_few, attacked, attack, rss_before, rss_peak = await run_attacked(
        server, clients, attack_seconds(seconds), max_requests, slow_clients)
    return Measured(first_seed, health_one, seed_one, health, seed, benign, mixed, health_few,
                    large, large_plain, health_paced, benign_few, attacked, attack, rss_before,
                    rss_peak)


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
    parser.add_argument("--slow-clients", type=int, default=100,
                        help="slow clients of each kind (partial headers, partial body) in "
                             "the attacked phase")
    args = parser.parse_args()
    env = {}
    if args.workers is not None:
        env["CHAINRULE_WORKERS"] = str(args.workers)
    if args.timeout_s is not None:
        env["CHAINRULE_TIMEOUT_S"] = str(args.timeout_s)
    with tempfile.TemporaryDirectory() as folder, serve(Path(folder), env) as server:
        measured = asyncio.run(measure(server, args.clients, args.seconds, args.max_requests,
                                       args.slow_clients))
        alive = server.process.poll() is None
    print(f"{args.clients} clients, {args.seconds:g} s per phase, server env {env or 'defaults'}, "
          f"{os.cpu_count()} cores; server alive at the end: {alive}\n")
    print(phase_table(measured.phases))
    print("\nLatency percentiles are of benign requests only.\n")
    print(kinds_table(measured.mixed))
    print()
    print(attackers.attack_table(measured.attack))
    print()
    print(table(target_rows(measured, args.clients)))
    print(f"\n5xx responses in all phases and to the attackers: {measured.five_hundreds}")


if __name__ == "__main__":
    main()
