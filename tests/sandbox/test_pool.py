"""The worker pool: crashes and runaway programs cost one request, never the service."""

from __future__ import annotations

import ast
import contextlib
import errno
import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest

from chainrule.errors import ChainruleError, ProgramTimeout, WorkerCrashed
from chainrule.pipeline import TraceJob
from chainrule.sandbox.pool import WorkerPool
from chainrule.settings import PROGRAM_HASH_SEED, ServerSettings
from tests.conftest import RUNS_UNTIL_STOPPED, SEED, SEED_STDOUT, strict_loads, wait_for

EVENT_WAIT_S = 60.0  # a safety net for each awaited event, never a measure of speed


@contextlib.contextmanager
def started(settings: ServerSettings) -> Iterator[WorkerPool]:
    pool = WorkerPool(settings)
    pool.start()
    try:
        yield pool
    finally:
        pool.stop()


@pytest.fixture
def pool() -> Iterator[WorkerPool]:
    # The wall clock is a safety net: the long programs here end when the test kills them.
    with started(ServerSettings(workers=2, timeout_s=600.0)) as pool:
        yield pool


def test_seed_program_runs_in_a_worker(pool: WorkerPool) -> None:
    info: dict[str, object] = {}
    body = strict_loads(pool.run(TraceJob(SEED), info).body)
    assert body["stdout"] == SEED_STDOUT
    assert info["worker"] in pool.pids()
    assert info["worker"] != os.getpid()


def test_program_errors_come_back_with_their_code_and_place(pool: WorkerPool) -> None:
    with pytest.raises(ChainruleError) as caught:
        pool.run(TraceJob("import torch\nx = q"))
    assert caught.value.to_dict() == {"code": "unknown_name", "message": "unknown name 'q'",
                                      "line": 2, "col": 4}


def test_killed_worker_fails_its_request_cleanly_and_the_pool_refills(pool: WorkerPool) -> None:
    errors: list[BaseException] = []
    thread = threading.Thread(target=_run_catching, args=(pool, RUNS_UNTIL_STOPPED, errors))
    thread.start()
    assert wait_for(lambda: len(pool.busy_pids()) == 1, EVENT_WAIT_S)
    victim = pool.busy_pids()[0]
    os.kill(victim, signal.SIGKILL)
    thread.join(timeout=EVENT_WAIT_S)
    assert [type(e) for e in errors] == [WorkerCrashed]
    assert errors[0].to_dict() == {  # type: ignore[attr-defined]
        "code": "worker_crashed", "message": "the worker running this program stopped "
        "unexpectedly; the program was not completed", "line": None, "col": None}
    assert strict_loads(pool.run(TraceJob(SEED)).body)["stdout"] == SEED_STDOUT
    assert wait_for(lambda: pool.size == 2, EVENT_WAIT_S)
    assert victim not in pool.pids()


def test_runaway_program_is_stopped_at_the_wall_clock_limit() -> None:
    with started(ServerSettings(workers=2, timeout_s=1.5)) as pool:
        with pytest.raises(ProgramTimeout) as caught:
            pool.run(TraceJob(RUNS_UNTIL_STOPPED))
        assert caught.value.message == "the program ran longer than 1.5 s and was stopped"
        assert strict_loads(pool.run(TraceJob(SEED)).body)["stdout"] == SEED_STDOUT
        assert wait_for(lambda: pool.size == 2, EVENT_WAIT_S)


def test_worker_is_replaced_after_its_program_quota() -> None:
    with started(ServerSettings(workers=1, recycle_after=2)) as pool:
        first: dict[str, object] = {}
        second: dict[str, object] = {}
        third: dict[str, object] = {}
        pool.run(TraceJob(SEED), first)
        pool.run(TraceJob(SEED), second)
        pool.run(TraceJob(SEED), third)
        assert first["worker"] == second["worker"] != third["worker"]


def test_workers_run_with_an_address_space_limit(pool: WorkerPool) -> None:
    for pid in pool.pids():
        with open(f"/proc/{pid}/limits", encoding="ascii") as limits:
            line = next(row for row in limits if row.startswith("Max address space"))
        soft = line.split()[3]
        assert soft != "unlimited"
        assert int(soft) > 1024 * 1024 * 1024  # start-up size + stack + 1 GiB


def test_a_long_program_gives_its_slot_to_a_standby() -> None:
    """Past LONG_PROGRAM_CPU_S a program gives up its slot: a standby starts and short
    programs run there while the long one still runs; when the long one ends (here: its
    worker is killed), nothing replaces it."""
    with started(ServerSettings(workers=1, standby=1, timeout_s=600.0)) as pool:
        errors: list[BaseException] = []
        slow = threading.Thread(target=_run_catching, args=(pool, RUNS_UNTIL_STOPPED, errors))
        slow.start()
        assert wait_for(lambda: pool.size == 2, EVENT_WAIT_S)  # the standby has started
        long_running = pool.busy_pids()
        assert len(long_running) == 1
        info: dict[str, object] = {}
        body = strict_loads(pool.run(TraceJob(SEED), info).body)
        assert body["stdout"] == SEED_STDOUT
        assert info["worker"] not in long_running
        assert pool.busy_pids() == long_running  # the long program is still running
        for starting in _respawns():  # the standby's: done once it served the seed
            starting.join(timeout=EVENT_WAIT_S)
        os.kill(long_running[0], signal.SIGKILL)
        slow.join(timeout=EVENT_WAIT_S)
        assert [type(e) for e in errors] == [WorkerCrashed]
        # The long one went and nothing replaces it: its slot was already the standby's.
        assert (pool.pids(), _respawns()) == ([info["worker"]], [])


def _respawns() -> list[threading.Thread]:
    """The pool's threads starting a worker (WorkerPool._respawn)."""
    return [t for t in threading.enumerate() if t.name == "chainrule-respawn"]


def _run_catching(pool: WorkerPool, source: str, errors: list[BaseException]) -> None:
    try:
        pool.run(TraceJob(source))
    except BaseException as exc:  # noqa: BLE001 - the test inspects it
        errors.append(exc)


def test_no_random_state_passes_from_one_request_to_the_next() -> None:
    """One worker runs a program that seeds and draws, then an unseeded one: the second
    draws what plain torch draws from the documented state (torch.manual_seed(0))."""
    with started(ServerSettings(workers=1, standby=0)) as pool:
        first: dict[str, object] = {}
        second: dict[str, object] = {}
        pool.run(TraceJob("import torch\ntorch.manual_seed(1234)\nz = torch.rand(7)\n"), first)
        body = strict_loads(pool.run(TraceJob(UNSEEDED), second).body)
        assert first["worker"] == second["worker"]
    plain = subprocess.run(
        [sys.executable, "-c", "import torch\ntorch.manual_seed(0)\n" + UNSEEDED],
        capture_output=True, text=True, check=True)
    assert body["stdout"] == plain.stdout


UNSEEDED = "import torch\nw = torch.randn(4)\nprint(w, torch.rand(2))\n"


class ForkFails:
    """Stands in for the fork server's Process: raises as a failed fork does, `times`
    times (every time when None), then starts real processes."""

    def __init__(self, real: object, times: int | None) -> None:
        self.real = real
        self.left = times

    def __call__(self, *args: object, **kwargs: object) -> object:
        if self.left is None or self.left > 0:
            if self.left is not None:
                self.left -= 1
            raise OSError(errno.EAGAIN, "Resource temporarily unavailable")
        return self.real(*args, **kwargs)  # type: ignore[operator]


FORK_FAILED = ("starting a worker failed (attempt {}): a worker process failed to start: "
               "BlockingIOError(11, 'Resource temporarily unavailable'); trying again in {} s")


def _respawn_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "chainrule.pool"]


def test_a_failed_respawn_is_logged_and_tried_again_until_the_slot_is_back(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="chainrule.pool")
    # One program per worker: the first program's worker is replaced when it ends.
    with started(ServerSettings(workers=1, recycle_after=1, standby=0)) as pool:
        first: dict[str, object] = {}
        monkeypatch.setattr(pool._context, "Process", ForkFails(pool._context.Process, 1))
        pool.run(TraceJob(SEED), first)
        assert wait_for(lambda: pool.size == 1, EVENT_WAIT_S)  # the slot is back
        assert _respawn_lines(caplog) == [FORK_FAILED.format(1, "0.5")]
        came_back = pool.pids()
        second: dict[str, object] = {}
        pool.run(TraceJob(SEED), second)  # on the worker that came back
        assert [second["worker"]] == came_back != [first["worker"]]


def test_respawns_back_off_and_end_when_the_pool_stops(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="chainrule.pool")
    with started(ServerSettings(workers=1, recycle_after=1, standby=0)) as pool:
        monkeypatch.setattr(pool._context, "Process", ForkFails(pool._context.Process, None))
        pool.run(TraceJob(SEED))
        assert wait_for(lambda: len(_respawn_lines(caplog)) >= 3, EVENT_WAIT_S)
        assert pool.size == 0
    # Every start fails: only stopping the pool ends the respawn's tries.
    for respawn in _respawns():
        respawn.join(timeout=EVENT_WAIT_S)
    assert _respawns() == []
    assert _respawn_lines(caplog)[:3] == [
        FORK_FAILED.format(1, "0.5"), FORK_FAILED.format(2, "1"), FORK_FAILED.format(3, "2")]


WORDS = ["apple", "banana", "cherry", "date", "elderberry", "fig", "grape", "honeydew", "kiwi",
         "lemon"]


def test_a_sets_order_is_plain_pythons_with_the_programs_hash_seed(pool: WorkerPool) -> None:
    # The order a set of strings iterates in follows the strings' hashes, which Python
    # salts per process unless PYTHONHASHSEED fixes it: every worker, replica and restart
    # uses the same seed, so a class's pages all see the order plain Python prints with it.
    source = f"print(list(set({WORDS!r})))\n"
    plain = subprocess.run([sys.executable, "-c", source], capture_output=True, text=True,
                           env={**os.environ, "PYTHONHASHSEED": PROGRAM_HASH_SEED},
                           check=True).stdout
    assert sorted(ast.literal_eval(plain)) == sorted(WORDS)
    for _ in range(2):
        assert strict_loads(pool.run(TraceJob(source)).body)["stdout"] == plain
