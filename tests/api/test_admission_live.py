"""Admission on a live server: a trace past the slots gets 503 and a client past its rate
gets 429, both with a Retry-After the client can act on, and a request log line with the
code; the page and health answer while every trace slot is held.

One small server: one worker, MAX_TRACES trace slots (one running, one waiting), no
standby and a rate limit of RATE_PER_MINUTE that applies to localhost too. Each test sends
from its own loopback address, so the rate limiter counts them as separate clients.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from chainrule.settings import LONG_PROGRAM_NICE
from tests.conftest import RUNS_UNTIL_STOPPED, SEED, SEED_STDOUT, strict_loads, wait_for
from tests.server import LiveServer, ServerFailed, serve

TRACE = "/api/v1/trace"
HEALTH = "/api/v1/health"
JSON = {"content-type": "application/json"}
RATE_PER_MINUTE = 20
MAX_TRACES = 2  # one on the worker, one waiting for it
PAST_THE_SLOTS = 4  # traces sent at once while every slot is held
TIMEOUT_S = 120  # a safety net: the long programs here end when the test kills them
EVENT_WAIT_S = 60.0  # a safety net for each awaited event, never a measure of speed
CRASHED = {"error": {
    "code": "worker_crashed",
    "message": "the worker running this program stopped unexpectedly; the program was not "
               "completed",
    "line": None, "col": None}}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    env = {"CHAINRULE_WORKERS": "1", "CHAINRULE_MAX_TRACES": str(MAX_TRACES),
           "CHAINRULE_STANDBY": "0",
           "CHAINRULE_TIMEOUT_S": str(TIMEOUT_S), "CHAINRULE_RATE_LOCALHOST": "1",
           "CHAINRULE_RATE_PER_MINUTE": str(RATE_PER_MINUTE)}
    try:
        with serve(tmp_path_factory.mktemp("admission"), env) as live:
            yield live
    except ServerFailed as exc:
        pytest.fail(str(exc), pytrace=False)


def trace(server: LiveServer, source: str, address: str) -> tuple[int, dict[str, str], object]:
    reply = server.request("POST", TRACE, json.dumps({"source": source}).encode(), JSON,
                           source_address=address, timeout_s=TIMEOUT_S + 60)
    return reply.status, reply.headers, strict_loads(reply.body)


def _stat(pid: int) -> list[str]:
    """The fields of /proc/<pid>/stat after the command name: state, ppid, ..."""
    return Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()


def _long_program_worker(server: LiveServer, other_than: int | None) -> int | None:
    """A live worker of the server (a child of its fork server, itself a child of the
    server) dropped to LONG_PROGRAM_NICE: it has run a program past LONG_PROGRAM_CPU_S."""
    parents = {}
    for entry in os.listdir("/proc"):
        try:
            stat = _stat(int(entry))
        except (ValueError, OSError):
            continue  # not a process, or one that just exited
        if stat[0] not in "ZX":  # not one that is dead and not yet reaped
            parents[int(entry)] = int(stat[1])
    forkservers = {pid for pid, ppid in parents.items() if ppid == server.process.pid}
    for pid, ppid in parents.items():
        if ppid in forkservers and pid != other_than:
            with contextlib.suppress(OSError):
                if os.getpriority(os.PRIO_PROCESS, pid) == LONG_PROGRAM_NICE:
                    return pid
    return None


def _long_program_started(server: LiveServer, other_than: int | None = None) -> int:
    """The worker's pid, once a long program runs on it."""
    deadline = time.monotonic() + EVENT_WAIT_S
    while (pid := _long_program_worker(server, other_than)) is None:
        assert time.monotonic() < deadline, "no worker ran a long program"
        time.sleep(0.02)
    return pid


OVERLOADED = {"error": {
    "code": "overloaded",
    "message": "the server is busy: every worker is running a program and the queue is full; "
               "try again in a moment",
    "line": None, "col": None}}


def test_traces_past_the_slots_get_503_at_once_while_the_page_still_answers(
        server: LiveServer) -> None:
    address = "127.0.0.2"
    with ThreadPoolExecutor(max_workers=MAX_TRACES + PAST_THE_SLOTS) as executor:
        # A long program runs on the only worker...
        first = executor.submit(trace, server, RUNS_UNTIL_STOPPED, address)
        running = _long_program_started(server)
        # ...and another holds the second slot, waiting for the worker: the pool stops
        # (SIGSTOP) a long program while a request waits, so the worker's state says so.
        second = executor.submit(trace, server, RUNS_UNTIL_STOPPED, address)
        assert wait_for(lambda: _stat(running)[0] == "T", EVENT_WAIT_S)
        # Every slot is held: more traces sent at once are all refused, while the two
        # held ones are still running and waiting (nothing here ends them).
        past = [executor.submit(trace, server, SEED, address) for _ in range(PAST_THE_SLOTS)]
        replies = [reply.result() for reply in past]
        assert [(status, headers["retry-after"], payload)
                for status, headers, payload in replies] == [(503, "2", OVERLOADED)] * len(past)
        assert not first.done() and not second.done()
        assert wait_for(lambda: len(_records(server, 503, "overloaded")) == len(past),
                        EVENT_WAIT_S)
        # The page, its files and health answer while every trace slot is held.
        for path in ("/", "/css/app.css", HEALTH):
            reply = server.request("GET", path, source_address="127.0.0.3")
            assert (path, reply.status) == (path, 200)
        assert _stat(running)[0] == "T" and not second.done()  # still held
        # End the long programs: the waiting one runs once the first is gone, on a new
        # worker.
        os.kill(running, signal.SIGKILL)
        assert (first.result()[0], first.result()[2]) == (503, CRASHED)
        os.kill(_long_program_started(server, other_than=running), signal.SIGKILL)
        assert (second.result()[0], second.result()[2]) == (503, CRASHED)
    # The slots are free again.
    status, _, payload = trace(server, SEED, address)
    assert (status, payload["stdout"]) == (200, SEED_STDOUT)  # type: ignore[index]


MANY_SLOTS = 45  # more than anyio's 40 default threads, which serve the static files


def test_more_held_traces_than_the_default_threads_never_hold_up_the_page(
        tmp_path: Path) -> None:
    """The issue's 45 concurrent programs: one long program on the only worker and 44
    traces waiting behind it hold every slot, more than the 40 threads of anyio's default
    pool; the page, its files and health still answer, and the traces past the slots are
    refused while the 44 still wait."""
    env = {"CHAINRULE_WORKERS": "1", "CHAINRULE_MAX_TRACES": str(MANY_SLOTS),
           "CHAINRULE_STANDBY": "0", "CHAINRULE_TIMEOUT_S": str(TIMEOUT_S),
           "CHAINRULE_RATE_PER_MINUTE": "0"}
    past_the_slots = 5
    try:
        with (serve(tmp_path, env) as server,
              ThreadPoolExecutor(max_workers=MANY_SLOTS + past_the_slots) as executor):
            long = executor.submit(trace, server, RUNS_UNTIL_STOPPED, "127.0.0.4")
            running = _long_program_started(server)
            waiting = [executor.submit(trace, server, SEED, "127.0.0.4")
                       for _ in range(MANY_SLOTS - 1 + past_the_slots)]
            # Nothing ends while the long program holds the worker: once `past_the_slots`
            # replies came, every slot is held and every other trace waits.
            assert wait_for(lambda: sum(f.done() for f in waiting) == past_the_slots,
                            EVENT_WAIT_S)
            refused = [f.result() for f in waiting if f.done()]
            assert [(status, payload) for status, _, payload in refused] == (
                [(503, OVERLOADED)] * past_the_slots)
            for path in ("/", "/css/app.css", HEALTH):
                assert (path, server.request("GET", path).status) == (path, 200)
            assert sum(f.done() for f in waiting) == past_the_slots  # the rest still wait
            # When the long program ends, the 44 waiting traces run.
            os.kill(running, signal.SIGKILL)
            assert (long.result()[0], long.result()[2]) == (503, CRASHED)
            ran = [f.result() for f in waiting if f.result()[0] != 503]
    except ServerFailed as exc:
        pytest.fail(str(exc), pytrace=False)
    assert [(status, payload["stdout"]) for status, _, payload in ran] == (  # type: ignore[index]
        [(200, SEED_STDOUT)] * (MANY_SLOTS - 1))


def _records(server: LiveServer, status: int, error: str) -> list[dict[str, object]]:
    return [r for r in server.log_records()
            if r["status"] == status and r.get("error") == error]


def test_rate_limit_answers_429_with_an_honest_retry_after(server: LiveServer) -> None:
    # 127.0.0.1 itself: CHAINRULE_RATE_LOCALHOST=1 puts localhost under the limit.
    statuses = []
    reply = None
    for _ in range(RATE_PER_MINUTE + 5):
        reply = server.request("GET", HEALTH)
        statuses.append(reply.status)
        if reply.status == 429:
            break
    assert reply is not None and reply.status == 429
    # A burst of RATE_PER_MINUTE is allowed (the fixture's health check took one).
    assert RATE_PER_MINUTE - 1 <= statuses.index(429) <= RATE_PER_MINUTE + 1
    assert strict_loads(reply.body) == {"error": {
        "code": "rate_limited",
        "message": "too many requests from this address; try again later",
        "line": None, "col": None}}
    server.wait_for_record(lambda r: r["status"] == 429 and r["error"] == "rate_limited")
    retry_after = int(reply.headers["retry-after"])
    assert 1 <= retry_after <= 60 // RATE_PER_MINUTE
    time.sleep(retry_after)
    assert server.request("GET", HEALTH).status == 200


def test_a_class_tracing_its_teachers_program_at_once_runs_it_once(server: LiveServer) -> None:
    """Ten students' pages trace the teacher's program the moment it changes, asking to
    share (X-Chainrule-Share: 1), while a long program holds the worker and only one slot
    is free: the program runs once and all ten get its answer, none 503."""
    source = SEED + "# the teacher's program\n"
    students = 10
    with ThreadPoolExecutor(max_workers=students + 1) as executor:
        long = executor.submit(trace, server, RUNS_UNTIL_STOPPED, "127.0.0.5")
        running = _long_program_started(server)
        pages = [executor.submit(trace_shared, server, source, "127.0.0.6")
                 for _ in range(students)]
        os.kill(running, signal.SIGKILL)
        answers = [f.result() for f in pages]
        assert long.result()[0] == 503
    assert [(status, payload["stdout"]) for status, _, payload in answers] == (  # type: ignore[index]
        [(200, SEED_STDOUT)] * students)
    assert len({json.dumps(payload, sort_keys=True) for _, _, payload in answers}) == 1
    digest = hashlib.sha256(source.encode()).hexdigest()[:16]

    def ran() -> list[object]:
        return [r.get("shared") for r in server.log_records()
                if r.get("source_sha256") == digest]

    # Each line is written just after its reply.
    assert wait_for(lambda: len(ran()) == students, EVENT_WAIT_S)
    assert sorted(ran(), key=bool) == [False] + [True] * (students - 1)


def trace_shared(server: LiveServer, source: str, address: str
                 ) -> tuple[int, dict[str, str], object]:
    reply = server.request("POST", TRACE, json.dumps({"source": source}).encode(),
                           {**JSON, "x-chainrule-share": "1"}, source_address=address,
                           timeout_s=TIMEOUT_S + 60)
    return reply.status, reply.headers, strict_loads(reply.body)
