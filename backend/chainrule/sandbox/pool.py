"""The worker pool: pre-started processes, a bounded wait for one, and a clean error when a
program runs too long or takes its worker down. The pool refills itself.

The web process keeps no per-request state here beyond the pipe it is waiting on, so a
crashed worker loses nothing but that one request. How many requests may wait here at once
is decided before they come (api/capacity.py).
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import queue
import signal
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.context import ForkServerContext
from typing import Any

from chainrule.errors import Overloaded, ProgramTimeout, WorkerCrashed, error_from
from chainrule.pipeline import TraceJob
from chainrule.sandbox.worker import Ready, Reply, Traced, receive_reply, serve
from chainrule.settings import (
    CHECK_EVERY_S,
    LONG_PROGRAM_CPU_S,
    LONG_PROGRAM_CPU_WHEN_QUEUED_S,
    LONG_PROGRAM_NICE,
    MAX_WAIT_FOR_WORKER_S,
    PROGRAM_HASH_SEED,
    RESPAWN_FIRST_WAIT_S,
    RESPAWN_MAX_WAIT_S,
    WORKER_START_TIMEOUT_S,
    ServerSettings,
)

log = logging.getLogger("chainrule.pool")


@dataclass(eq=False)
class Worker:
    process: Any  # multiprocessing.Process from the fork server
    conn: Connection
    programs: int = 0
    busy_since: float | None = field(default=None)
    deprioritised: bool = False
    paused: bool = False  # a deprioritised program stopped (SIGSTOP) while others run
    detached: bool = False  # a standby took its slot: when its program ends it just goes
    cpu_s: float | None = None  # CPU seconds it had used when its last program ended

    @property
    def pid(self) -> int:
        return int(self.process.pid)


class WorkerPool:
    """`run()` sends a program to an idle worker and returns its JSON, or raises."""

    def __init__(self, settings: ServerSettings) -> None:
        self.settings = settings
        # Read by the fork server's interpreter when it starts, and so by every worker it forks.
        os.environ["PYTHONHASHSEED"] = PROGRAM_HASH_SEED
        self._context: ForkServerContext = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(["chainrule.sandbox.preload"])
        self._idle: queue.Queue[Worker] = queue.Queue()
        self._workers: set[Worker] = set()
        self._lock = threading.Lock()
        self._waiting = 0
        self._closed = False
        self._stopping = threading.Event()  # wakes a respawn waiting to try again
        self._detached = 0  # long-running workers whose slot a standby has taken

    # --- life cycle -----------------------------------------------------------------------

    def start(self) -> None:
        """Start every worker; returns once each is ready for programs."""
        for worker in [self._spawn() for _ in range(self.settings.workers)]:
            self._idle.put(worker)

    def stop(self) -> None:
        self._closed = True
        self._stopping.set()
        with self._lock:
            workers = list(self._workers)
        for worker in workers:
            self._kill(worker)

    @property
    def size(self) -> int:
        """Workers alive (idle or busy)."""
        with self._lock:
            return sum(1 for w in self._workers if w.process.is_alive())

    def pids(self) -> list[int]:
        with self._lock:
            return sorted(w.pid for w in self._workers)

    def busy_pids(self) -> list[int]:
        with self._lock:
            return sorted(w.pid for w in self._workers if w.busy_since is not None)

    def _spawn(self) -> Worker:
        """A new worker, ready for programs; WorkerCrashed if it could not be started."""
        parent, child = self._context.Pipe(duplex=True)
        process = None
        try:
            process = self._context.Process(
                target=serve, args=(child, self.settings.memory_mb), daemon=True,
                name="chainrule-worker")
            process.start()
            child.close()
            if not parent.poll(WORKER_START_TIMEOUT_S) or not isinstance(parent.recv(), Ready):
                raise WorkerCrashed("a worker process failed to start")
        except (OSError, EOFError, ValueError, WorkerCrashed) as exc:
            if process is not None and process.pid is not None:
                process.kill()
                process.join(timeout=5)
            child.close()
            parent.close()
            if isinstance(exc, WorkerCrashed):
                raise
            raise WorkerCrashed(f"a worker process failed to start: {exc!r}") from exc
        worker = Worker(process, parent)
        with self._lock:
            self._workers.add(worker)
        return worker

    def _kill(self, worker: Worker) -> None:
        with self._lock:
            self._workers.discard(worker)
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join(timeout=5)
        worker.conn.close()

    def _replace(self, worker: Worker) -> None:
        """Kill `worker` and start another in the background (unless a standby already
        took its place)."""
        self._kill(worker)
        if worker.detached:
            with self._lock:
                self._detached -= 1
        else:
            self._respawn()

    def _respawn(self) -> None:
        if not self._closed:
            threading.Thread(target=self._spawn_until_started, name="chainrule-respawn",
                             daemon=True).start()

    def _spawn_until_started(self) -> None:
        """Start a worker for a free slot, trying again after every failure (one log line
        each) with a wait that doubles up to RESPAWN_MAX_WAIT_S, until the pool stops."""
        wait = RESPAWN_FIRST_WAIT_S
        attempt = 1
        while not self._closed:
            try:
                worker = self._spawn()
            except Exception as exc:  # noqa: BLE001 - whatever it was, the slot must refill
                log.warning("starting a worker failed (attempt %d): %s; trying again in "
                            "%g s", attempt, exc, wait)
                if self._stopping.wait(wait):
                    return
                wait = min(wait * 2, RESPAWN_MAX_WAIT_S)
                attempt += 1
                continue
            if self._closed:  # stopped while it started: it has no pool to serve
                self._kill(worker)
            else:
                self._idle.put(worker)
            return

    def _stand_in_for(self, worker: Worker) -> None:
        """A long program keeps its worker but gives up its slot: a standby worker starts
        now, so short programs need not wait behind it. At most settings.standbys() run
        at once; past that, requests wait."""
        with self._lock:
            if self._detached >= self.settings.standbys():
                return
            self._detached += 1
        worker.detached = True
        self._respawn()

    # --- running programs -----------------------------------------------------------------

    def run(self, job: TraceJob, info: dict[str, object] | None = None) -> Traced:
        """The program's reply (its JSON body); raises a ChainruleError for every failure.

        `info` receives the worker's pid and the ms spent waiting for it, for the request
        log.
        """
        asked = time.monotonic()
        worker = self._acquire()
        if info is not None:
            info["worker"] = worker.pid
            info["wait_ms"] = round((time.monotonic() - asked) * 1000, 2)
        try:
            reply = self._exchange(worker, job)
        except BaseException:
            self._replace(worker)
            raise
        worker.busy_since = None
        worker.programs += 1
        if (worker.programs >= self.settings.recycle_after or worker.deprioritised
                or worker.detached):
            self._replace(worker)
        else:
            self._idle.put(worker)
        if isinstance(reply, Traced):
            return reply
        raise error_from(reply.code, reply.message, reply.line, reply.col, reply.extras)

    def _acquire(self) -> Worker:
        with self._lock:
            self._waiting += 1
        try:
            worker = self._idle.get(timeout=MAX_WAIT_FOR_WORKER_S)
        except queue.Empty:
            raise Overloaded("the server is busy: no worker was free in time") from None
        finally:
            with self._lock:
                self._waiting -= 1
        worker.busy_since = time.monotonic()
        return worker

    def _exchange(self, worker: Worker, job: TraceJob) -> Reply:
        try:
            if worker.cpu_s is None:  # a new worker: its start-up's CPU, read once
                worker.cpu_s = _cpu_seconds(worker.pid)
            cpu_at_start = worker.cpu_s
            worker.conn.send(job)
            deadline = time.monotonic() + self.settings.timeout_s
            # A worker runs one thread of torch: its CPU time can't outrun the wall clock, so
            # /proc is read only when a CPU threshold could have been passed (most programs
            # answer before the first: the web process's cost per trace stays small).
            wait = LONG_PROGRAM_CPU_WHEN_QUEUED_S
            while not worker.conn.poll(min(wait, max(deadline - time.monotonic(), 0))):
                if time.monotonic() >= deadline:
                    raise ProgramTimeout(f"the program ran longer than "
                                         f"{self.settings.timeout_s:g} s and was stopped")
                wait = CHECK_EVERY_S
                if worker.deprioritised:
                    self._pause_while_others_run(worker)
                    continue
                used = _cpu_seconds(worker.pid) - cpu_at_start
                limit = LONG_PROGRAM_CPU_WHEN_QUEUED_S if self._waiting else LONG_PROGRAM_CPU_S
                if used > limit:
                    _deprioritise(worker)
                    self._stand_in_for(worker)
                else:  # neither threshold can be passed sooner (a queue may form meanwhile)
                    wait = max(CHECK_EVERY_S, LONG_PROGRAM_CPU_WHEN_QUEUED_S - used)
            reply, worker.cpu_s = receive_reply(worker.conn)
            return reply
        except (EOFError, OSError, ConnectionError):
            raise WorkerCrashed("the worker running this program stopped unexpectedly; "
                                "the program was not completed") from None

    def _pause_while_others_run(self, worker: Worker) -> None:
        """A long program runs only while no short one runs or waits: stopped (SIGSTOP)
        meanwhile, continued after. Even at the lowest priority it would share the core's
        caches (and, on hyperthreads, the core itself) with the short programs; its wall
        clock runs on either way."""
        with self._lock:
            others = self._waiting > 0 or any(
                w.busy_since is not None and not w.deprioritised for w in self._workers)
        if others != worker.paused:
            with contextlib.suppress(OSError):  # the worker may have just exited
                os.kill(worker.pid, signal.SIGSTOP if others else signal.SIGCONT)
            worker.paused = others


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used; 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS  # utime, stime


_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _deprioritise(worker: Worker) -> None:
    worker.deprioritised = True
    with contextlib.suppress(OSError):  # the worker may have just exited
        os.setpriority(os.PRIO_PROCESS, worker.pid, LONG_PROGRAM_NICE)
    with contextlib.suppress(OSError, AttributeError):  # Linux only; nice 19 stays elsewhere
        os.sched_setscheduler(worker.pid, os.SCHED_IDLE, os.sched_param(0))


__all__ = ["WorkerPool"]
