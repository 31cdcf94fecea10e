"""The worker pool: crashes and runaway programs cost one request, never the service."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest

from chainrule.errors import ChainruleError, ProgramTimeout, WorkerCrashed
from chainrule.sandbox.pool import WorkerPool
from chainrule.settings import ServerSettings
from tests.conftest import SEED, strict_loads

# Matmuls of 1000x1000 in nested loops: thousands of seconds of work within the
# element and memory limits (nothing accumulates), so it only ever ends at the wall clock.
SLOW = """import torch
a = torch.ones(1000, 1000)
for i in range(1000):
    for j in range(1000):
        b = a @ a
"""


@pytest.fixture
def pool() -> Iterator[WorkerPool]:
    pool = WorkerPool(ServerSettings(workers=2, timeout_s=1.5))
    pool.start()
    try:
        yield pool
    finally:
        pool.stop()


def wait_for(condition: object, limit_s: float) -> bool:
    """Poll `condition` until it holds or `limit_s` passes (a deadline, not a speed test)."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.05)
    return bool(condition())  # type: ignore[operator]


def test_seed_program_runs_in_a_worker(pool: WorkerPool) -> None:
    info: dict[str, object] = {}
    body = strict_loads(pool.run(SEED, {}, None, info))
    assert body["stdout"] == "dL/dw :  tensor(-0.5600)\ndL/db :  tensor(-0.4000)\n"
    assert info["worker"] in pool.pids()
    assert info["worker"] != os.getpid()


def test_program_errors_come_back_with_their_code_and_place(pool: WorkerPool) -> None:
    with pytest.raises(ChainruleError) as caught:
        pool.run("import torch\nx = q", {}, None)
    assert caught.value.to_dict() == {"code": "unknown_name", "message": "unknown name 'q'",
                                      "line": 2, "col": 4}


def test_killed_worker_fails_its_request_cleanly_and_the_pool_refills(pool: WorkerPool) -> None:
    errors: list[BaseException] = []

    def slow_request() -> None:
        try:
            pool.run(SLOW, {}, None)
        except BaseException as exc:  # noqa: BLE001 - the test inspects it
            errors.append(exc)

    thread = threading.Thread(target=slow_request)
    thread.start()
    assert wait_for(lambda: len(pool.busy_pids()) == 1, 10)
    victim = pool.busy_pids()[0]
    os.kill(victim, signal.SIGKILL)
    thread.join(timeout=30)
    assert len(errors) == 1
    assert isinstance(errors[0], WorkerCrashed)
    assert errors[0].code == "worker_crashed"
    assert strict_loads(pool.run(SEED, {}, None))["output"] == "n0"
    assert wait_for(lambda: pool.size == 2, 5)
    assert victim not in pool.pids()


def test_runaway_program_is_stopped_at_the_wall_clock_limit(pool: WorkerPool) -> None:
    with pytest.raises(ProgramTimeout) as caught:
        pool.run(SLOW, {}, None)
    assert caught.value.message == "the program ran longer than 1.5 s and was stopped"
    info: dict[str, object] = {}
    assert strict_loads(pool.run(SEED, {}, None, info))["stdout"].startswith("dL/dw")
    assert wait_for(lambda: pool.size == 2, 5)


def test_worker_is_replaced_after_its_program_quota() -> None:
    pool = WorkerPool(ServerSettings(workers=1, recycle_after=2))
    pool.start()
    try:
        first: dict[str, object] = {}
        second: dict[str, object] = {}
        third: dict[str, object] = {}
        pool.run(SEED, {}, None, first)
        pool.run(SEED, {}, None, second)
        pool.run(SEED, {}, None, third)
        assert first["worker"] == second["worker"] != third["worker"]
    finally:
        pool.stop()


def test_workers_run_with_an_address_space_limit(pool: WorkerPool) -> None:
    for pid in pool.pids():
        with open(f"/proc/{pid}/limits", encoding="ascii") as limits:
            line = next(row for row in limits if row.startswith("Max address space"))
        soft = line.split()[3]
        assert soft != "unlimited"
        assert int(soft) > 1024 * 1024 * 1024  # start-up size + stack + 1 GiB


def test_a_long_program_gives_its_slot_to_a_standby() -> None:
    pool = WorkerPool(ServerSettings(workers=1, standby=1, timeout_s=6.0))
    pool.start()
    try:
        errors: list[BaseException] = []
        slow = threading.Thread(target=lambda: _run_catching(pool, SLOW, errors))
        slow.start()
        assert wait_for(lambda: pool.size == 2, 10)  # the standby has started
        long_running = pool.busy_pids()
        assert len(long_running) == 1
        info: dict[str, object] = {}
        body = strict_loads(pool.run(SEED, {}, None, info))
        assert body["stdout"].startswith("dL/dw")
        assert info["worker"] not in long_running
        assert pool.busy_pids() == long_running  # the long program was still running
        slow.join(timeout=30)
        assert [type(e) for e in errors] == [ProgramTimeout]
        assert wait_for(lambda: pool.size == 1, 5)  # the long one went, nothing replaced it
    finally:
        pool.stop()


def _run_catching(pool: WorkerPool, source: str, errors: list[BaseException]) -> None:
    try:
        pool.run(source, {}, None)
    except BaseException as exc:  # noqa: BLE001 - the test inspects it
        errors.append(exc)


def test_no_random_state_passes_from_one_request_to_the_next() -> None:
    """One worker runs a program that seeds and draws, then an unseeded one: the second
    draws what plain torch draws from the documented state (torch.manual_seed(0))."""
    pool = WorkerPool(ServerSettings(workers=1, standby=0))
    pool.start()
    try:
        first: dict[str, object] = {}
        second: dict[str, object] = {}
        pool.run("import torch\ntorch.manual_seed(1234)\nz = torch.rand(7)\n", {}, None, first)
        body = strict_loads(pool.run(UNSEEDED, {}, None, second))
        assert first["worker"] == second["worker"]
    finally:
        pool.stop()
    plain = subprocess.run(
        [sys.executable, "-c", "import torch\ntorch.manual_seed(0)\n" + UNSEEDED],
        capture_output=True, text=True, check=True)
    assert body["stdout"] == plain.stdout


UNSEEDED = "import torch\nw = torch.randn(4)\nprint(w, torch.rand(2))\n"
