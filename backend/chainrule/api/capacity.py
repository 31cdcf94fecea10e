"""Admission of traces: the app holds at most settings.trace_slots() trace requests at once,
running or waiting for a worker; one more is refused at once (503 overloaded, Retry-After)
before it takes a thread.

The held traces wait for their worker on threads of their own (an anyio CapacityLimiter of
the same size), never on anyio's default pool, so the static files and the other routes
never wait behind them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import anyio
import anyio.to_thread
from starlette.requests import Request

from chainrule.errors import Overloaded
from chainrule.pipeline import TraceJob
from chainrule.sandbox.pool import WorkerPool
from chainrule.sandbox.worker import Traced

T = TypeVar("T")

OVERLOADED = ("the server is busy: every worker is running a program and the queue is full; "
              "try again in a moment")


class TraceSlots:
    """`total` slots; a trace holds one from its admission until its worker answers."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.held = 0  # changed only on the event loop's thread
        self._threads = anyio.CapacityLimiter(total)

    async def run(self, work: Callable[..., T], *args: object) -> T:
        """`work(*args)` on a thread of the slots' own if a slot is free, else Overloaded
        at once. The slot is held until `work` returns, even if the client goes away."""
        if self.held >= self.total:
            raise Overloaded(OVERLOADED)
        self.held += 1
        try:
            return await anyio.to_thread.run_sync(work, *args, limiter=self._threads)
        finally:
            self.held -= 1


async def run_trace(request: Request, job: TraceJob, info: dict[str, object]) -> Traced:
    """The program's reply (its JSON body) from the app's worker pool, run in one of the app's trace
    slots; Overloaded at once when every slot is held, and every error of the pool."""
    slots: TraceSlots = request.app.state.trace_slots
    pool: WorkerPool = request.app.state.pool
    return await slots.run(pool.run, job, info)
