"""A worker process: runs programs sent over a pipe, one at a time, within its limits."""

from __future__ import annotations

import resource
import signal
from multiprocessing.connection import Connection
from typing import Any

import torch

from chainrule.errors import ChainruleError
from chainrule.runner import trace_to_json
from chainrule.settings import TRACE_THREAD_STACK_BYTES

# Replies: ("ok", body) or ("error", code, message, line, col).
Reply = tuple[Any, ...]


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


def run_one(request: tuple[str, dict[str, Any], str | None], memory_mb: int) -> Reply:
    """One program: its JSON, or its error as plain values."""
    source, variables, output = request
    try:
        return ("ok", trace_to_json(source, variables, output))
    except ChainruleError as exc:
        return ("error", exc.code, exc.message, exc.line, exc.col)
    except MemoryError:
        return ("error", "limit_exceeded",
                f"the program needed more memory than a worker has ({memory_mb} MiB)",
                None, None)
    except Exception as exc:  # noqa: BLE001 - reported, never a crash of the worker
        return ("error", "internal_error", f"the program could not be run ({type(exc).__name__})",
                None, None)


def serve(conn: Connection, memory_mb: int) -> None:
    """The worker's main loop: until the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when workers stop
    torch.set_num_threads(1)
    limit_memory(memory_mb * 1024 * 1024)
    conn.send(("ready",))
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        conn.send(run_one(request, memory_mb))
