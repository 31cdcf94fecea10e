"""Identical traces run once for the requests that ask it (api/sharing.py): a class's
students all trace their teacher's program the moment it changes. The work runs once for
the requests that come while it runs, its answer is kept a while for those that come
after (never an error, never a program that reads the clock or seeds from the system),
within a size bound; a caller who goes away leaves the answer to the others."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from chainrule.api.sharing import SharedTraces, job_key, keeps
from chainrule.pipeline import TraceJob
from chainrule.sandbox.worker import Traced
from tests.rooms.aio import run_coroutine


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Work:
    """A trace that ends when the test says so, counting how often it was started."""

    def __init__(self, body: bytes = b'{"nodes": []}') -> None:
        self.body = body
        self.started = 0
        self.entered = asyncio.Event()  # set once the work has started
        self.release = asyncio.Event()
        self.error: Exception | None = None

    async def __call__(self) -> Traced:
        self.started += 1
        self.entered.set()
        await self.release.wait()
        if self.error:
            raise self.error
        return Traced(self.body, "gzip")


def test_requests_that_come_while_a_trace_runs_share_its_answer() -> None:
    async def scenario() -> None:
        shared = SharedTraces()
        work = Work()
        calls = [asyncio.ensure_future(shared.run("k", work)) for _ in range(5)]
        await work.entered.wait()  # the first call started it; the others came meanwhile
        assert work.started == 1
        work.release.set()
        answers = await asyncio.gather(*calls)
        assert [a for a, _ in answers] == [Traced(b'{"nodes": []}', "gzip")] * 5
        assert [s for _, s in answers] == [False, True, True, True, True]
        assert work.started == 1

    run_coroutine(scenario())


def test_an_answer_is_kept_for_later_requests_until_it_expires() -> None:
    async def scenario() -> None:
        clock = Clock()
        shared = SharedTraces(keep_s=60.0, clock=clock)
        work = Work()
        work.release.set()
        assert await shared.run("k", work) == (Traced(work.body, "gzip"), False)
        clock.now += 59.9
        assert await shared.run("k", work) == (Traced(work.body, "gzip"), True)
        assert (work.started, shared.kept_bytes) == (1, len(work.body))
        clock.now += 0.1
        assert await shared.run("k", work) == (Traced(work.body, "gzip"), False)
        assert work.started == 2

    run_coroutine(scenario())


def test_different_requests_run_apart() -> None:
    async def scenario() -> None:
        shared = SharedTraces()
        first, second = Work(b"1"), Work(b"2")
        first.release.set()
        second.release.set()
        assert await asyncio.gather(shared.run("a", first), shared.run("b", second)) == [
            (Traced(b"1", "gzip"), False), (Traced(b"2", "gzip"), False)]

    run_coroutine(scenario())


def test_an_error_reaches_every_waiter_and_is_not_kept() -> None:
    async def scenario() -> None:
        shared = SharedTraces()
        work = Work()
        work.error = TimeoutError("the program took too long")
        calls = [asyncio.ensure_future(shared.run("k", work)) for _ in range(3)]
        await work.entered.wait()
        work.release.set()
        results = await asyncio.gather(*calls, return_exceptions=True)
        assert [str(r) for r in results] == ["the program took too long"] * 3
        work.error = None
        assert await shared.run("k", work) == (Traced(work.body, "gzip"), False)
        assert work.started == 2

    run_coroutine(scenario())


def test_a_caller_who_goes_away_leaves_the_answer_to_the_others() -> None:
    async def scenario() -> None:
        shared = SharedTraces()
        work = Work()
        first = asyncio.ensure_future(shared.run("k", work))
        second = asyncio.ensure_future(shared.run("k", work))
        await work.entered.wait()
        first.cancel()  # the first request's client disconnected
        with pytest.raises(asyncio.CancelledError):
            await first
        work.release.set()
        assert await second == (Traced(work.body, "gzip"), True)
        assert work.started == 1

    run_coroutine(scenario())


def test_a_program_that_may_not_repeat_itself_is_shared_only_while_it_runs() -> None:
    async def scenario() -> None:
        shared = SharedTraces()
        work = Work()
        work.release.set()
        assert await shared.run("k", work, keep=False) == (Traced(work.body, "gzip"), False)
        assert await shared.run("k", work, keep=False) == (Traced(work.body, "gzip"), False)
        assert (work.started, shared.kept_bytes) == (2, 0)

    run_coroutine(scenario())
    assert not keeps(TraceJob("import time\nprint(time.time())\n"))
    assert not keeps(TraceJob("from time import perf_counter\n"))
    assert not keeps(TraceJob("import random\nrandom.seed()\n"))
    assert not keeps(TraceJob("import torch\ntorch.seed( )\n"))
    assert keeps(TraceJob("import torch\ntimes = 3\nprint(times)\n"))
    assert keeps(TraceJob("import torch\ntorch.manual_seed(0)\nrandom.seed(1)\n"))


def test_kept_answers_stay_within_their_bound_the_oldest_going_first() -> None:
    async def scenario() -> None:
        clock = Clock()
        shared = SharedTraces(keep_bytes=10, keep_one_bytes=6, clock=clock)
        for key, body in (("a", b"aaaa"), ("b", b"bbbb"), ("c", b"cccc"), ("big", b"x" * 7)):
            work = Work(body)
            work.release.set()
            await shared.run(key, work)
            clock.now += 1
        assert shared.kept_bytes == 8  # "a" went for "c"; "big" was never kept
        again = Work(b"new")
        again.release.set()
        assert [(await shared.run(k, again))[1] for k in ("c", "b", "a", "big")] == [
            True, True, False, False]

    run_coroutine(scenario())


def test_the_key_is_every_field_of_the_request() -> None:
    job = TraceJob("import torch\n", {"x": {"value": [1.0], "requires_grad": True}}, api=2,
                   compress=True, call=3)
    assert job_key(job) == job_key(dataclasses.replace(job))
    changed = [dataclasses.replace(job, **{field: value}) for field, value in (
        ("source", "import torch\n\n"), ("variables", {}), ("output", "y"), ("check", True),
        ("api", 1), ("max_bytes", 5), ("compress", False), ("call", None))]
    assert len({job_key(j) for j in [job, *changed]}) == 1 + len(changed)
