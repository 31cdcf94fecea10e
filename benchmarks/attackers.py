"""The attackers of the load benchmark's attacked phase (issue 16), run beside the benign
mix until the phase ends:

    partial headers      connections that send part of a request's headers, then one more
                         byte a second; the server should drop each (408) once
                         CHAINRULE_HEADER_TIMEOUT_S has passed since its first byte
    partial body         connections that send a trace request's headers and part of its
                         body, then a byte a second; dropped CHAINRULE_BODY_TIMEOUT_S after
                         the headers
                         (both open a new connection whenever the server drops one)
    large, read slowly   a program whose v1 response is under the 10 MB limit, with
                         Accept-Encoding: gzip, its response read 8 KiB every 100 ms
    past the limit       a program whose response would pass the limit (422
                         limit_exceeded), with gzip, in a closed loop
    large, never read    the near-limit program on a new connection every second (with
                         gzip) or every two (without), once the last one's status line has
                         come; the rest of each response is never read, and the connection
                         is kept open (the oldest closed past a cap)

Each kind counts its connections, requests, the statuses it saw and how long things took.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections import Counter, deque
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

from tests.server import HOST

from benchmarks.client import GZIP, Connection, Request, encode, trace_request

LARGE_OPS = 140  # a 1,024-element chain this long: ~7.4 MB in v1 (0.9 MB gzipped)
PAST_LIMIT_OPS = 200  # ~10.4 MB in v1: past the 10 MB limit


def listed_chain(ops: int) -> str:
    """A chain of `ops` products on 1,024 random values: every tensor is listed, value
    and gradient, so each op adds ~52 KB to a v1 response and random digits compress
    about 9 to 1."""
    return ("import torch\ntorch.manual_seed(0)\nx = torch.randn(1024, requires_grad=True)\n"
            f"y = x\nfor i in range({ops}):\n    y = y * 1.01\ny.sum().backward()\n")


LARGE_GZIP = trace_request("large, gzip, read slowly", listed_chain(LARGE_OPS), True, GZIP)
PAST_LIMIT = trace_request("past the limit, gzip", listed_chain(PAST_LIMIT_OPS), True, GZIP)
NEVER_READ_GZIP = trace_request("large, gzip, never read", listed_chain(LARGE_OPS), True, GZIP)
NEVER_READ_PLAIN = trace_request("large, no gzip, never read", listed_chain(LARGE_OPS), True)

SLOW_READ_CHUNK = 8 * 1024
SLOW_READ_PAUSE_S = 0.1
SLOW_READERS = 2
PAST_LIMIT_CLIENTS = 1
NEVER_READ = ((NEVER_READ_GZIP, 1.0, 8), (NEVER_READ_PLAIN, 2.0, 4))  # every s, cap
# Trace requests the attackers have in the server at once, at most: the attacked phase
# runs that many fewer benign clients, so the traces in flight stay as many as in the
# benign phase alone, within the server's admission limit (past it the documented answer
# is 503 overloaded, which would measure admission, not the attackers).
TRACE_CLIENTS = SLOW_READERS + PAST_LIMIT_CLIENTS + len(NEVER_READ)
TRICKLE_EVERY_S = 1.0


@dataclass
class Stats:
    """What one kind of attacker did."""

    kind: str
    connections: int = 0
    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)  # 0: closed without an answer
    dropped: int = 0  # connections the server closed
    # Held until dropped (slow clients), until answered (readers), or until the status
    # line came (never read).
    seconds: list[float] = field(default_factory=list)

    @property
    def median_s(self) -> float:
        return statistics.median(self.seconds) if self.seconds else float("nan")


def _partial_headers(port: int) -> tuple[bytes, bytes]:
    return (f"POST /api/v1/trace HTTP/1.1\r\nHost: {HOST}:{port}\r\nX-Slow: ".encode(), b"a")


def _partial_body(port: int) -> tuple[bytes, bytes]:
    head = (f"POST /api/v1/trace HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
            "Content-Type: application/json\r\nContent-Length: 4096\r\n\r\n")
    return (head.encode() + b'{"source": "', b"a")


async def _one_slow_connection(port: int, first: bytes, trickle: bytes, stats: Stats) -> None:
    """Send `first`, then `trickle` every second, until the server answers or closes."""
    started = time.perf_counter()
    reader, writer = await asyncio.open_connection(HOST, port)
    stats.connections += 1
    stats.requests += 1
    try:
        writer.write(first)
        while True:
            try:
                data = await asyncio.wait_for(reader.read(1024), TRICKLE_EVERY_S)
            except TimeoutError:
                writer.write(trickle)
                continue
            break
    except (ConnectionError, OSError):
        data = b""
    finally:
        writer.close()
    stats.statuses[int(data.split()[1]) if data.startswith(b"HTTP/") else 0] += 1
    stats.dropped += 1
    stats.seconds.append(time.perf_counter() - started)


async def _slow_sender(port: int, parts: tuple[bytes, bytes], stats: Stats) -> None:
    while True:
        try:
            await _one_slow_connection(port, *parts, stats)
        except (ConnectionError, OSError):
            stats.statuses[0] += 1
            await asyncio.sleep(0.1)


async def _closed_loop(port: int, request: Request, stats: Stats, chunk: int = 0,
                       pause_s: float = 0.0) -> None:
    """Send `request` again whenever its response has been read (slowly, with `chunk`)."""
    connection = Connection(port)
    try:
        while True:
            if connection.writer is None:
                stats.connections += 1
            started = time.perf_counter()
            stats.requests += 1
            try:
                status = await connection.send(request, chunk, pause_s)
            except (ConnectionError, OSError, asyncio.IncompleteReadError, ValueError,
                    IndexError):
                status = 0
                stats.dropped += 1
                await connection.close()
            stats.statuses[status] += 1
            stats.seconds.append(time.perf_counter() - started)
    finally:
        await connection.close()


async def _never_reader(port: int, request: Request, every_s: float, cap: int,
                        stats: Stats) -> None:
    """A new connection every `every_s` that sends `request` and reads its status line,
    never the rest; at most `cap` kept open (the oldest closed). One request at a time is
    in the server: the next is sent once the last one's status line has come."""
    held: deque[asyncio.StreamWriter] = deque()
    try:
        while True:
            started = time.perf_counter()
            try:
                reader, writer = await asyncio.open_connection(HOST, port)
                held.append(writer)
                stats.connections += 1
                stats.requests += 1
                writer.write(encode(request, port))
                line = await reader.readline()
                stats.statuses[int(line.split()[1]) if line.startswith(b"HTTP/") else 0] += 1
                stats.seconds.append(time.perf_counter() - started)
            except (ConnectionError, OSError):
                stats.statuses[0] += 1
            while len(held) > cap:
                held.popleft().close()
            await asyncio.sleep(max(0.0, every_s - (time.perf_counter() - started)))
    finally:
        for writer in held:
            writer.close()


class Attack:
    """Every attacker, started together and stopped together."""

    def __init__(self, port: int, slow_clients: int, kinds: set[str] | None = None) -> None:
        """`kinds`: only the attackers of these names (default: every one)."""
        self.port = port
        self.slow_clients = slow_clients
        self.kinds = kinds
        self.stats: list[Stats] = []
        self._tasks: list[asyncio.Task[None]] = []

    def _kind(self, kind: str) -> Stats:
        self.stats.append(Stats(kind))
        return self.stats[-1]

    def start(self) -> None:
        port = self.port
        work: list[tuple[Coroutine[Any, Any, None], str]] = []
        for name, parts in (("partial headers", _partial_headers(port)),
                            ("partial body", _partial_body(port))):
            stats = self._kind(name)
            work += [(_slow_sender(port, parts, stats), name) for _ in range(self.slow_clients)]
        slow = self._kind(LARGE_GZIP.kind)
        work += [(_closed_loop(port, LARGE_GZIP, slow, SLOW_READ_CHUNK, SLOW_READ_PAUSE_S),
                  slow.kind) for _ in range(SLOW_READERS)]
        past = self._kind(PAST_LIMIT.kind)
        work += [(_closed_loop(port, PAST_LIMIT, past), past.kind)
                 for _ in range(PAST_LIMIT_CLIENTS)]
        for request, every_s, cap in NEVER_READ:
            work.append((_never_reader(port, request, every_s, cap, self._kind(request.kind)),
                         request.kind))
        for coroutine, kind in work:
            if self.kinds is None or kind in self.kinds:
                self._tasks.append(asyncio.ensure_future(coroutine))
            else:
                coroutine.close()  # never started
        self.stats = [s for s in self.stats if self.kinds is None or s.kind in self.kinds]

    async def stop(self) -> list[Stats]:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        return self.stats


def attack_table(stats: list[Stats]) -> str:
    lines = ["| attacker | connections | requests | statuses | dropped by the server "
             "| median time |", "| --- | --- | --- | --- | --- | --- |"]
    for s in stats:
        statuses = ", ".join(f"{k}: {v}" for k, v in sorted(s.statuses.items())) or "-"
        median = f"{s.median_s:.2f} s" if s.seconds else "-"
        lines.append(f"| {s.kind} | {s.connections} | {s.requests} | {statuses} "
                     f"| {s.dropped} | {median} |")
    return "\n".join(lines)
