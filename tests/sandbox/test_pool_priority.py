"""Long programs give way: past LONG_PROGRAM_CPU_S of CPU a program drops to the lowest
priority, is stopped while short programs run, and its worker is replaced once it is
done, so short programs keep the CPU."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator

import pytest

from chainrule.pipeline import TraceJob
from chainrule.sandbox import pool as pool_module
from chainrule.sandbox.pool import WorkerPool
from chainrule.settings import LONG_PROGRAM_NICE, ServerSettings
from tests.conftest import SEED, SEED_STDOUT, strict_loads, wait_for

# About 43 GFLOP on one thread: a second or more of CPU, well past LONG_PROGRAM_CPU_S and
# well inside the wall clock here (and 36M tensor elements, inside the program's limit).
LONG = """import torch
a = torch.ones(600, 600)
for i in range(100):
    b = a @ a
"""


EVENT_WAIT_S = 120.0  # a safety net for each awaited event, never a measure of speed


def assert_the_last_product(body: bytes) -> None:
    """LONG's graph: its last product b = a @ a, each element a row of 600 ones times a
    column of 600 ones, read from the constant a."""
    assert [(n["op"], n["name"], n["value"]["shape"], n["value"]["summary"]["min"],
             n["value"]["summary"]["max"]) for n in strict_loads(body)["nodes"]] == [
        ("aten.mm", "b", [600, 600], 600.0, 600.0), (None, "a", [600, 600], 1.0, 1.0)]


@pytest.fixture
def pool() -> Iterator[WorkerPool]:
    pool = WorkerPool(ServerSettings(workers=2, timeout_s=30.0))
    pool.start()
    try:
        yield pool
    finally:
        pool.stop()


def nice(pid: int) -> int | None:
    try:
        return os.getpriority(os.PRIO_PROCESS, pid)
    except OSError:
        return None


def test_short_program_keeps_its_worker_at_normal_priority(pool: WorkerPool) -> None:
    info: dict[str, object] = {}
    pool.run(TraceJob(SEED), info)
    assert info["worker"] in pool.pids()
    assert nice(int(info["worker"])) == 0  # type: ignore[call-overload]


def test_long_program_drops_to_lowest_priority_and_its_worker_is_replaced(
        pool: WorkerPool) -> None:
    results: list[bytes] = []
    info: dict[str, object] = {}
    thread = threading.Thread(target=lambda: results.append(pool.run(TraceJob(LONG), info).body))
    thread.start()
    assert wait_for(lambda: len(pool.busy_pids()) == 1, EVENT_WAIT_S)
    victim = pool.busy_pids()[0]
    assert wait_for(lambda: nice(victim) == LONG_PROGRAM_NICE, EVENT_WAIT_S)
    # Meanwhile the other worker runs short programs at normal priority.
    assert strict_loads(pool.run(TraceJob(SEED)).body)["stdout"] == SEED_STDOUT
    thread.join(timeout=EVENT_WAIT_S)
    assert len(results) == 1
    assert_the_last_product(results[0])
    assert info["worker"] == victim
    assert wait_for(lambda: victim not in pool.pids() and pool.size == 2, EVENT_WAIT_S)
    assert all(nice(pid) == 0 for pid in pool.pids())


def state(pid: int) -> str | None:
    """The process's state letter from /proc (R running, S sleeping, T stopped)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return None


def test_long_program_is_stopped_while_a_short_one_runs_and_finishes_after(
        pool: WorkerPool, monkeypatch: pytest.MonkeyPatch) -> None:
    results: list[bytes] = []
    thread = threading.Thread(target=lambda: results.append(pool.run(TraceJob(LONG)).body))
    thread.start()
    assert wait_for(lambda: len(pool.busy_pids()) == 1, EVENT_WAIT_S)
    victim = pool.busy_pids()[0]
    assert wait_for(lambda: nice(victim) == LONG_PROGRAM_NICE, EVENT_WAIT_S)
    assert state(victim) != "T"  # nothing else runs: the long program has the CPU
    # A second long program that keeps normal priority for the test: while it runs, the
    # first one is stopped.
    monkeypatch.setattr(pool_module, "LONG_PROGRAM_CPU_S", 1e9)
    monkeypatch.setattr(pool_module, "LONG_PROGRAM_CPU_WHEN_QUEUED_S", 1e9)
    second: list[bytes] = []
    other = threading.Thread(target=lambda: second.append(pool.run(TraceJob(LONG)).body))
    other.start()
    assert wait_for(lambda: state(victim) == "T", EVENT_WAIT_S)
    other.join(timeout=EVENT_WAIT_S)
    assert len(second) == 1
    assert_the_last_product(second[0])
    thread.join(timeout=EVENT_WAIT_S)  # continued once the other finished, it completes
    assert len(results) == 1
    assert_the_last_product(results[0])
