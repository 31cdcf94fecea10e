"""Identical traces run once, for the requests that ask it (SHARE_HEADER: 1). A class
following its teacher (docs/classroom.md) sends the same request from every student's page
the moment the teacher opens a program: 300 traces of one program in the same second,
where the app holds 32 at once. The sandbox seeds torch and `random`, so a program's
numbers come out the same each time it runs (it has no files or network): the requests
that arrive while one like them runs wait for its answer, and an answer is kept for
KEEP_S seconds for those that come a little later. Only answers are kept, never errors: a
timeout or a full server says nothing about the next try. Nor is the answer of a program
that may not repeat itself: one that names `time` (it may print the clock) or seeds a
generator from the system (`random.seed()`, `torch.seed()`, a generator's `.seed()`, with
no argument): it is shared only with the requests that came while it ran, as if each had
run at that moment.

The work runs as a task of its own: a client that goes away does not take the answer from
those waiting with it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import json
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable

from chainrule.pipeline import TraceJob
from chainrule.sandbox.worker import Traced

SHARE_HEADER = "x-chainrule-share"  # "1": this request may share an identical one's answer
KEEP_S = 60.0  # an answer is kept this long after it was made
KEEP_BYTES = 32 * 1024 * 1024  # answers kept at most, all together (the oldest go first)
KEEP_ONE_BYTES = 4 * 1024 * 1024  # a larger answer is shared while it runs, never kept


# `import time`, `from time import ...`; `random.seed()`, `torch.seed()`, `g.seed()`.
UNREPEATABLE = re.compile(r"\btime\b|\bseed\s*\(\s*\)")


def keeps(job: TraceJob) -> bool:
    """Whether the job's answer may be kept for later requests: its program never names
    the `time` module nor seeds a generator from the system."""
    return UNREPEATABLE.search(job.source) is None


def job_key(job: TraceJob) -> str:
    """What makes two requests the same trace: every field of the job (the program, its
    inputs, output, check, call, the API's form, the size limit, gzip or not)."""
    text = json.dumps(dataclasses.asdict(job), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


class SharedTraces:
    """The traces running now, and the answers kept, by job_key."""

    def __init__(self, keep_s: float = KEEP_S, keep_bytes: int = KEEP_BYTES,
                 keep_one_bytes: int = KEEP_ONE_BYTES,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.keep_s = keep_s
        self.keep_bytes = keep_bytes
        self.keep_one_bytes = keep_one_bytes
        self._clock = clock
        self._running: dict[str, asyncio.Task[Traced]] = {}
        self._kept: OrderedDict[str, tuple[float, Traced]] = OrderedDict()
        self._bytes = 0

    @property
    def kept_bytes(self) -> int:
        return self._bytes

    async def run(self, key: str, work: Callable[[], Awaitable[Traced]], keep: bool = True
                  ) -> tuple[Traced, bool]:
        """The answer to `key`: kept, or the one running, or `work()`'s (kept for later
        when `keep`); and whether it was shared (not made for this call). `work`'s errors
        are raised to every caller waiting on it."""
        kept = self._take(key)
        if kept is not None:
            return kept, True
        task = self._running.get(key)
        shared = task is not None
        if task is None:
            task = asyncio.ensure_future(self._make(key, work, keep))
            # Every caller may be gone by its end: its error is then nobody's to log.
            task.add_done_callback(lambda t: t.cancelled() or t.exception())
            self._running[key] = task
        # shield: a caller cancelled (its client gone) leaves the work to the others.
        return await asyncio.shield(task), shared

    async def _make(self, key: str, work: Callable[[], Awaitable[Traced]], keep: bool
                    ) -> Traced:
        try:
            answer = await work()
        finally:
            del self._running[key]
        if keep:
            self._keep(key, answer)
        return answer

    def _take(self, key: str) -> Traced | None:
        self._expire()
        found = self._kept.get(key)
        return found[1] if found else None

    def _keep(self, key: str, answer: Traced) -> None:
        size = len(answer.body)
        if size > self.keep_one_bytes or key in self._kept:
            return
        self._kept[key] = (self._clock() + self.keep_s, answer)
        self._bytes += size
        while self._bytes > self.keep_bytes:
            self._drop(next(iter(self._kept)))

    def _expire(self) -> None:
        now = self._clock()
        # Kept in the order made, each for the same time: the expired ones come first.
        while self._kept and next(iter(self._kept.values()))[0] <= now:
            self._drop(next(iter(self._kept)))

    def _drop(self, key: str) -> None:
        _, answer = self._kept.pop(key)
        self._bytes -= len(answer.body)
