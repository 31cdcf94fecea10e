"""A class in a room: one teacher stepping, N students following (issue 19).

    python -m benchmarks.rooms [--students 300] [--steps 30] [--guard-s 10]

Starts real servers (`python -m chainrule serve`) on free 127.0.0.1 ports (tests/server.py)
with default settings, in three configurations, one after another:

    memory          one app, rooms in its memory
    redis           one app, rooms in a redis-server on a free loopback port
                    (tests/rooms/redis_server.py)
    redis, 2 apps   two apps sharing that Redis: the teacher on the first, the students
                    alternately on each (half of them follow across replicas)

In each, the teacher creates a room; every student opens `GET /api/v2/rooms/{code}/events`
on a connection of its own (plain asyncio streams, all in this process) and waits for its
first event, the current state: the join time is until the last has it. Then the teacher
publishes `--steps` states (`PUT .../state`), one at a time: each step's latency, per
student, is from just before the PUT is written to the moment the chunk holding the
event with that seq is read; the next step waits until every student has it (or
`--guard-s`, a failure guard: whoever lacks it then has lost it).

Prints a Markdown table per configuration: students connected, the join time, p50, p95,
p99 and max of step -> student latency over all steps x students, events lost, errors
(non-2xx answers, streams ended or broken, events out of order), the teacher's PUT round
trip, the CPU time per event delivered over the steps of the apps' web processes (from
/proc) and of this client, and whether the target holds: p95 under 250 ms, every
student connected, nothing lost and no errors. Every client is 127.0.0.1, which
the rate limits exempt unless CHAINRULE_RATE_LOCALHOST is set (it is not here).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tests.rooms.redis_server import redis_server
from tests.server import HOST, LiveServer, serve

from benchmarks.client import cpu_seconds
from benchmarks.common import Row, table

ROOMS = "/api/v2/rooms"
TARGET_P95_S = 0.250
SOURCE = ("import torch\nw = torch.tensor(2.0, requires_grad=True)\nloss = (w * 3 - 1) ** 2\n"
          "loss.backward()\n")
CONNECT_GUARD_S = 30.0  # a failure guard on the students' joining, never a measured time


@dataclass
class Student:
    """One event stream: when each seq arrived, and what went wrong, if anything."""

    app: int  # which app (index) it follows through
    arrived: dict[int, float] = field(default_factory=dict)  # seq -> perf_counter()
    order: list[int] = field(default_factory=list)  # the seqs as they came
    error: str | None = None


class Class:
    """The students of one run, and a signal when all of them hold a seq (counted as they
    arrive, so the check costs the same for the last student as for the first)."""

    def __init__(self, students: list[Student]) -> None:
        self.students = students
        self._holding: dict[int, int] = {}  # seq -> students who have it
        self._failed: list[Student] = []
        self._waiting: dict[int, asyncio.Event] = {}

    def done(self, seq: int) -> bool:
        lacking = sum(1 for s in self._failed if seq not in s.arrived)
        return self._holding.get(seq, 0) + lacking >= len(self.students)

    def arrived(self, student: Student, seq: int, at: float) -> None:
        if seq in student.arrived:
            return
        student.arrived[seq] = at
        self._holding[seq] = self._holding.get(seq, 0) + 1
        waiting = self._waiting.get(seq)
        if waiting is not None and self.done(seq):
            waiting.set()

    async def wait(self, seq: int, guard_s: float) -> None:
        """Until every student holds `seq` or has failed; at most `guard_s`."""
        waiting = self._waiting.setdefault(seq, asyncio.Event())
        if self.done(seq):
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(waiting.wait(), guard_s)

    def fail(self, student: Student, error: str) -> None:
        if student.error is None:
            student.error = error
            self._failed.append(student)
        for seq, waiting in self._waiting.items():
            if self.done(seq):
                waiting.set()


async def _head(reader: asyncio.StreamReader) -> tuple[int, dict[str, str]]:
    """A response's status and headers (names lower-cased)."""
    line = await reader.readline()
    if not line:
        raise ConnectionError("closed before the status line")
    status = int(line.split()[1])
    headers = {}
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers


async def _next_chunk(reader: asyncio.StreamReader, chunked: bool) -> bytes:
    """The body's next piece as it came off the wire; b"" when it ends."""
    if not chunked:
        return await reader.read(65536)
    size = int((await reader.readline()).split(b";")[0] or b"0", 16)
    if size == 0:
        return b""
    data = await reader.readexactly(size + 2)
    return data[:-2]


async def follow(port: int, code: str, student: Student, group: Class) -> None:
    """A student's page: open the room's event stream and note each state's seq and time."""
    writer: asyncio.StreamWriter | None = None
    try:
        reader, writer = await asyncio.open_connection(HOST, port)
        writer.write(f"GET {ROOMS}/{code}/events HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
                     "Accept: text/event-stream\r\n\r\n".encode())
        status, headers = await _head(reader)
        if status != 200:
            group.fail(student, f"events: {status}")
            return
        chunked = headers.get("transfer-encoding", "").lower() == "chunked"
        pending = b""
        while chunk := await _next_chunk(reader, chunked):
            now = time.perf_counter()
            pending += chunk
            while b"\n\n" in pending:
                block, pending = pending.split(b"\n\n", 1)
                fields = dict(line.split(b": ", 1) for line in block.split(b"\n")
                              if b": " in line and not line.startswith(b":"))
                if fields.get(b"event") == b"end":
                    group.fail(student, "the stream sent end")
                    return
                if fields.get(b"event") != b"state":
                    continue
                seq = int(fields[b"id"])
                if student.order and seq <= student.order[-1]:
                    group.fail(student, f"seq {seq} after {student.order[-1]}")
                student.order.append(seq)
                group.arrived(student, seq, now)
        group.fail(student, "the stream ended")
    except (ConnectionError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
        group.fail(student, f"{type(exc).__name__}: {exc}")
    finally:
        if writer is not None:
            writer.close()


class Teacher:
    """The teacher's page: one keep-alive connection, JSON requests."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.secret = ""
        self.code = ""
        self._streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def send(self, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
        """The request's status and body; the caller times around it."""
        if self._streams is None:
            self._streams = await asyncio.open_connection(HOST, self.port)
        reader, writer = self._streams
        head = f"{method} {path} HTTP/1.1\r\nHost: {HOST}:{self.port}\r\n"
        if self.secret:
            head += f"Authorization: Bearer {self.secret}\r\n"
        if body is not None:
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        writer.write(head.encode() + b"\r\n" + (body or b""))
        status, headers = await _head(reader)
        return status, await reader.readexactly(int(headers.get("content-length", "0")))

    async def create(self) -> None:
        status, body = await self.send("POST", ROOMS)
        if status != 201:
            raise RuntimeError(f"creating the room: {status} {body!r}")
        created = json.loads(body)
        self.code, self.secret = created["code"], created["teacher_secret"]

    async def close(self) -> None:
        if self._streams is not None:
            self._streams[1].close()
            with contextlib.suppress(ConnectionError, OSError):
                await self._streams[1].wait_closed()


def step_body(position: int) -> bytes:
    return json.dumps({"source": SOURCE, "step": position, "mode": "forward",
                       "question": None}).encode()


@dataclass
class Measured:
    """One configuration's run."""

    name: str
    students: int
    connected: int  # students whose stream gave them the room's current state
    join_s: float  # from opening the first stream until the last student had seq 0
    latencies: list[float]  # seconds, every step x student received
    lost: int  # step x student pairs never received (within the guard)
    errors: int  # failed PUTs, and students whose stream failed, ended or misordered
    put_s: list[float]  # the teacher's PUT round trips
    first_errors: list[str]
    server_cpu_s: float  # the apps' web processes' CPU time over the steps (not the joins)
    client_cpu_s: float  # this process's over the same steps: the students' reading

    def percentile(self, p: float) -> float | None:
        if not self.latencies:
            return None
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]

    @property
    def delivered(self) -> int:
        return len(self.latencies)

    @property
    def holds(self) -> bool:
        p95 = self.percentile(95)
        return (p95 is not None and p95 < TARGET_P95_S and self.lost == 0
                and self.errors == 0 and self.connected == self.students)


async def run_class(name: str, servers: list[LiveServer], students: int, steps: int,
                    guard_s: float) -> Measured:
    """One room, `students` following it (spread over `servers` in turn), `steps` states."""
    ports = [server.port for server in servers]
    teacher = Teacher(ports[0])
    await teacher.create()
    pupils = [Student(i % len(ports)) for i in range(students)]
    group = Class(pupils)
    started = time.perf_counter()
    tasks = [asyncio.create_task(follow(ports[s.app], teacher.code, s, group)) for s in pupils]
    await group.wait(0, CONNECT_GUARD_S)
    join_s = time.perf_counter() - started
    connected = sum(1 for s in pupils if 0 in s.arrived)
    sent: dict[int, float] = {}
    put_s, put_errors = [], []
    cpu_before = sum(cpu_seconds(server.process.pid) for server in servers)
    client_before = time.process_time()
    for position in range(1, steps + 1):
        sent_at = time.perf_counter()
        status, body = await teacher.send("PUT", f"{ROOMS}/{teacher.code}/state",
                                          step_body(position))
        put_s.append(time.perf_counter() - sent_at)
        if status != 200:
            put_errors.append(f"PUT {position}: {status} {body[:200]!r}")
            continue
        seq = json.loads(body)["seq"]
        sent[seq] = sent_at
        await group.wait(seq, guard_s)
    server_cpu_s = sum(cpu_seconds(server.process.pid) for server in servers) - cpu_before
    client_cpu_s = time.process_time() - client_before
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    with contextlib.suppress(ConnectionError, OSError):
        await teacher.send("DELETE", f"{ROOMS}/{teacher.code}")
    await teacher.close()
    latencies = [s.arrived[seq] - at for seq, at in sent.items() for s in pupils
                 if seq in s.arrived]
    lost = sum(1 for seq in sent for s in pupils if seq not in s.arrived)
    lost += len(put_errors) * students  # a step never published reached nobody
    failed = [f"student {i}: {s.error}" for i, s in enumerate(pupils) if s.error]
    return Measured(name, students, connected, join_s, latencies, lost,
                    len(put_errors) + len(failed), put_s, (put_errors + failed)[:5],
                    server_cpu_s, client_cpu_s)


@contextmanager
def apps(folder: Path, count: int, env: Mapping[str, str]) -> Iterator[list[LiveServer]]:
    with ExitStack() as exits:
        yield [exits.enter_context(serve(Path(tempfile.mkdtemp(dir=folder)), env))
               for _ in range(count)]


def measure(folder: Path, students: int, steps: int, guard_s: float,
            two_apps: bool) -> list[Measured]:
    results = []
    with apps(folder, 1, {}) as servers:
        results.append(asyncio.run(run_class("memory, 1 app", servers, students,
                                             steps, guard_s)))
    with redis_server(Path(tempfile.mkdtemp(dir=folder))) as url:
        env = {"CHAINRULE_REDIS_URL": url}
        with apps(folder, 1, env) as servers:
            results.append(asyncio.run(run_class("redis, 1 app", servers, students, steps,
                                                 guard_s)))
        if two_apps:
            with apps(folder, 2, env) as servers:
                results.append(asyncio.run(run_class(
                    "redis, 2 apps (students split)", servers, students,
                    steps, guard_s)))
    return results


def _ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1000:.1f} ms"


def _us(seconds: float, events: int) -> str:
    return "-" if not events else f"{seconds / events * 1e6:.0f} µs"


def results_table(results: list[Measured]) -> str:
    lines = ["| configuration | students connected | join (all) | p50 | p95 | p99 | max "
             "| events lost | errors | teacher's PUT p50 | server CPU per event "
             "| client CPU per event | holds |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in results:
        lines.append(
            f"| {r.name} | {r.connected} / {r.students} | {_ms(r.join_s)} "
            f"| {_ms(r.percentile(50))} | {_ms(r.percentile(95))} | {_ms(r.percentile(99))} "
            f"| {_ms(max(r.latencies, default=None))} | {r.lost} | {r.errors} "
            f"| {_ms(statistics.median(r.put_s) if r.put_s else None)} "
            f"| {_us(r.server_cpu_s, r.delivered)} | {_us(r.client_cpu_s, r.delivered)} "
            f"| {'yes' if r.holds else 'NO'} |")
    return "\n".join(lines)


def target_rows(results: list[Measured]) -> list[Row]:
    """The house table's rows: each configuration's p95 against the 250 ms target."""
    return [Row(f"room, {r.students} students, step -> student p95 ({r.name})",
                r.percentile(95), TARGET_P95_S, 1.0,
                note=f"floor column is the target; lost {r.lost}, errors {r.errors}")
            for r in results]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.rooms", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--guard-s", type=float, default=10.0,
                        help="how long a step waits for its last student (a failure guard)")
    parser.add_argument("--one-app", action="store_true",
                        help="skip the two-app configuration")
    args = parser.parse_args()
    load = os.getloadavg()
    with tempfile.TemporaryDirectory() as folder:
        results = measure(Path(folder), args.students, args.steps, args.guard_s,
                          not args.one_app)
    print(f"{args.students} students, {args.steps} steps, default server settings, "
          f"{os.cpu_count()} cores; load average at the start {load[0]:.2f}\n")
    print(results_table(results))
    print()
    print(table(target_rows(results)))
    for r in results:
        for error in r.first_errors:
            print(f"{r.name}: {error}")


if __name__ == "__main__":
    main()
