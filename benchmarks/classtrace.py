"""A class's pages trace the teacher's new program at once (issue 19).

    python -m benchmarks.classtrace [--students 300] [--lesson sequential]

When the teacher opens a program, every student's page traces it the same moment: N
identical `POST /api/v2/trace` requests where the app holds 32 traces at once
(CHAINRULE_MAX_TRACES). Starts one real server (`python -m chainrule serve`, default
settings, tests/server.py) and sends the lesson's program from N connections at once
(plain asyncio streams, all in this process), twice: without `X-Chainrule-Share` (as any
client), then with it (as the students' page sends it, api/sharing.py), with another
comment line so the second round cannot find the first's answer kept.

Prints a Markdown table: for each round, the answers by status, the time from the first
request written to the last answer read, and how many traces the server ran for them
(the request log's `shared` field: false for a trace run for that request).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from tests.server import LiveServer, serve

from chainrule.content.lessons import LESSONS


@dataclass
class Round:
    name: str
    statuses: Counter[int]
    seconds: float
    ran: int


async def _post(port: int, body: bytes, shared: bool) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = (f"POST /api/v2/trace HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Content-Type: application/json\r\nAccept-Encoding: gzip\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n")
    if shared:
        head += "X-Chainrule-Share: 1\r\n"
    writer.write(head.encode() + b"\r\n" + body)
    await writer.drain()
    status_line = await reader.readline()
    await reader.read()  # the whole answer, until the server closes
    writer.close()
    return int(status_line.split()[1])


async def _round(port: int, source: str, students: int, shared: bool) -> tuple[Counter[int], float]:
    body = json.dumps({"source": source}).encode()
    started = time.perf_counter()
    statuses = await asyncio.gather(*(_post(port, body, shared) for _ in range(students)))
    return Counter(statuses), time.perf_counter() - started


def _ran(server: LiveServer, marker: str, answered: int) -> int:
    """Traces the server ran for requests of this round: their log records with status
    200 and without `shared: true` (a 503 ran nothing). Each line is written just after
    its answer: wait (up to 10 s) until the round's `answered` lines are in."""
    digest = hashlib.sha256(marker.encode()).hexdigest()[:16]
    deadline = time.monotonic() + 10
    while True:
        records = [r for r in server.log_records()
                   if r.get("source_sha256") == digest and r.get("status") == 200]
        if len(records) >= answered or time.monotonic() > deadline:
            return sum(1 for r in records if r.get("shared") is not True)
        time.sleep(0.05)


def measure(folder: Path, students: int, source: str) -> list[Round]:
    rounds = []
    with serve(folder, {}) as server:
        for name, shared in (("without X-Chainrule-Share", False),
                             ("with X-Chainrule-Share: 1", True)):
            program = f"{source}# {name}\n"
            statuses, seconds = asyncio.run(_round(server.port, program, students, shared))
            rounds.append(Round(name, statuses, seconds, _ran(server, program, statuses[200])))
    return rounds


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.classtrace", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--lesson", default="sequential")
    args = parser.parse_args()
    source = next(lesson.source for lesson in LESSONS if lesson.id == args.lesson)
    load = os.getloadavg()
    with tempfile.TemporaryDirectory() as folder:
        rounds = measure(Path(folder), args.students, source)
    print(f"{args.students} students trace lesson {args.lesson!r} at once, default server "
          f"settings, {os.cpu_count()} cores; load average at the start {load[0]:.2f}\n")
    print("| requests | 200 | 503 | other | first sent -> last answer | traces run |")
    print("| --- | --- | --- | --- | --- | --- |")
    for r in rounds:
        other = sum(n for status, n in r.statuses.items() if status not in (200, 503))
        print(f"| {r.name} | {r.statuses[200]} | {r.statuses[503]} | {other} "
              f"| {r.seconds:.2f} s | {r.ran} |")


if __name__ == "__main__":
    main()
