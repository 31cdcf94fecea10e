"""Admission of traces on its own: the slots are one number, a request past it is refused at
once without a thread, and held traces never borrow from anyio's default thread pool (the
one the static files use)."""

from __future__ import annotations

import threading

import anyio
import anyio.to_thread
import pytest

from chainrule.api.capacity import OVERLOADED, TraceSlots
from chainrule.errors import Overloaded

EVENT_WAIT_S = 60.0  # a safety net for each awaited event, never a measure of speed


class Blocking:
    """Work that runs until released, keeping what each call was asked."""

    def __init__(self) -> None:
        self.entered = threading.Semaphore(0)
        self.release = threading.Event()
        self.calls: list[str] = []

    def __call__(self, answer: str) -> str:
        self.calls.append(answer)
        self.entered.release()
        assert self.release.wait(EVENT_WAIT_S)
        return answer


async def _entered(work: Blocking, count: int) -> None:
    for _ in range(count):
        assert await anyio.to_thread.run_sync(work.entered.acquire, True, EVENT_WAIT_S)


def test_past_the_slots_a_trace_is_refused_at_once_and_held_ones_finish() -> None:
    work = Blocking()
    answers: list[str] = []
    refused: list[Overloaded] = []

    async def main() -> None:
        slots = TraceSlots(2)

        async def held(answer: str) -> None:
            answers.append(await slots.run(work, answer))

        async with anyio.create_task_group() as group:
            group.start_soon(held, "a")
            group.start_soon(held, "b")
            await _entered(work, 2)
            assert slots.held == 2
            default = anyio.to_thread.current_default_thread_limiter()
            # The held traces borrow no token of the default pool (the waiter above
            # returned its own): the static files have all of it.
            assert default.borrowed_tokens == 0
            with pytest.raises(Overloaded) as caught:
                await slots.run(work, "c")  # returns without entering the work
            refused.append(caught.value)
            assert slots.held == 2
            work.release.set()
        assert slots.held == 0
        assert await slots.run(work, "d") == "d"  # a slot is free again

    anyio.run(main)
    assert sorted(answers) == ["a", "b"]
    assert sorted(work.calls) == ["a", "b", "d"]  # "c" never entered the work
    assert refused[0].to_dict() == {"code": "overloaded", "message": OVERLOADED,
                                    "line": None, "col": None}


def test_a_failing_trace_gives_its_slot_back() -> None:
    def fails() -> None:
        raise Overloaded("no worker was free in time")

    async def main() -> int:
        slots = TraceSlots(1)
        with pytest.raises(Overloaded):
            await slots.run(fails)
        return slots.held

    assert anyio.run(main) == 0
