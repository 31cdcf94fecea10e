"""A worker process: runs programs sent over a pipe, one at a time, within its limits."""

from __future__ import annotations

import gzip
import os
import resource
import signal
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection

import torch

from chainrule.errors import ChainruleError
from chainrule.pipeline import WARM_UP_PROGRAM, TraceJob, run, trace_to_json
from chainrule.settings import (
    COMPRESS_LEVEL,
    COMPRESS_MIN_BYTES,
    THREAD_EXIT_WAIT_S,
    TRACE_THREAD_STACK_BYTES,
)


@dataclass(frozen=True)
class Traced:
    """A worker's reply: the program's JSON body, gzip-compressed when `encoding` says so."""

    body: bytes
    encoding: str | None = None


@dataclass(frozen=True)
class Failed:
    """A worker's reply: the program's error, as plain values (errors.error_from rebuilds
    it in the web process)."""

    code: str
    message: str
    line: int | None = None
    col: int | None = None
    extras: dict[str, object] | None = None  # ChainruleError.extras(): names, partial, ...


Reply = Traced | Failed


@dataclass(frozen=True)
class Ready:
    """What a new worker sends once it can take programs."""


@dataclass(frozen=True)
class Finished:
    """What a worker sends after each program: its error, or (`failed` None) the encoding of
    its body, which follows as raw bytes (unpickling megabytes would cost the web process a
    millisecond per MB); and the CPU seconds the worker has used in all so far (the pool's
    baseline for the next program's CPU time, so it need not read /proc when one starts)."""

    failed: Failed | None
    encoding: str | None
    cpu_s: float


def send_reply(conn: Connection, reply: Reply) -> None:
    """`reply` down the pipe as a Finished, a body after it as raw bytes."""
    if isinstance(reply, Traced):
        conn.send(Finished(None, reply.encoding, time.process_time()))
        conn.send_bytes(reply.body)
    else:
        conn.send(Finished(reply, None, time.process_time()))


def receive_reply(conn: Connection) -> tuple[Reply, float]:
    """The reply send_reply sent, and the worker's CPU seconds."""
    finished: Finished = conn.recv()
    if finished.failed is not None:
        return finished.failed, finished.cpu_s
    return Traced(conn.recv_bytes(), finished.encoding), finished.cpu_s


def _address_space_now() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def limit_memory(extra_bytes: int) -> None:
    """Cap the address space at what start-up mapped, one trace stack, and `extra_bytes`."""
    limit = _address_space_now() + TRACE_THREAD_STACK_BYTES + extra_bytes
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def run_one(job: TraceJob, memory_mb: int) -> Reply:
    """One program: its JSON, or its error as plain values."""
    try:
        return compressed(run(job)) if job.compress else Traced(run(job))
    except ChainruleError as exc:
        return Failed(exc.code, exc.message, exc.line, exc.col, exc.extras() or None)
    except MemoryError:
        return Failed("limit_exceeded",
                      f"the program needed more memory than a worker has ({memory_mb} MiB)")
    except Exception as exc:  # noqa: BLE001 - reported, never a crash of the worker
        return Failed("internal_error",
                      f"the program could not be run ({type(exc).__name__})")


def compressed(body: bytes) -> Traced:
    """The body gzip-compressed at a fast level, here in the worker: its CPU is counted in
    the program's time and priority, never the web process's. A small body goes as it is."""
    if len(body) < COMPRESS_MIN_BYTES:
        return Traced(body)
    return Traced(gzip.compress(body, compresslevel=COMPRESS_LEVEL, mtime=0), "gzip")


def _os_threads() -> int:
    return len(os.listdir("/proc/self/task"))


def wait_for_threads(count: int, limit_s: float = THREAD_EXIT_WAIT_S) -> int:
    """Wait until the process is back to `count` OS threads; the count it ended at.

    Each program runs on a new thread with a large stack (runner.py), and join() returns
    before that thread has left the OS, its stack still mapped. A program started in that
    moment maps a second stack under the same address-space limit; under load, after
    enough overlaps no stack fitted: "can't start new thread", a 500 for a harmless
    program.
    """
    deadline = time.monotonic() + limit_s
    while (now := _os_threads()) > count and time.monotonic() < deadline:
        time.sleep(0.0005)
    return now


def serve(conn: Connection, memory_mb: int) -> None:
    """The worker's main loop: until the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when workers stop
    torch.set_num_threads(1)
    limit_memory(memory_mb * 1024 * 1024)
    threads = _os_threads()
    # A forked worker's first program touches memory it shares with the fork server, and
    # the kernel copies each page as it is written: about twice the program's usual time.
    # Paid here, before the worker is counted ready, not by a user's request.
    trace_to_json(WARM_UP_PROGRAM)
    threads = wait_for_threads(threads)
    conn.send(Ready())
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        send_reply(conn, run_one(job, memory_mb))
        # After the reply, so the client never waits for it. A thread that outlives the
        # wait (one torch started and keeps) becomes part of the count.
        threads = wait_for_threads(threads)
