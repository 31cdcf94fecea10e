"""The interpreter's tests run programs on the test's own thread, whose stack is small.

A program's objects hold each other in cycles (the interpreter and its handlers, a graph
and its tensors), so the collector frees them, whenever it next runs: maybe in a later
test, on this small stack, where torch frees a deep graph recursively. The server frees
each program's cycles on its trace thread's large stack (pipeline.py); here the same is
done after each test, so no test's garbage is freed in another's middle."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from chainrule.settings import TRACE_THREAD_STACK_BYTES


def collect_on_a_large_stack() -> None:
    """One full collection, on a thread with the trace thread's stack."""
    previous = threading.stack_size(TRACE_THREAD_STACK_BYTES)
    try:
        thread = threading.Thread(target=gc.collect, name="chainrule-test-collect")
        thread.start()
    finally:
        threading.stack_size(previous)
    thread.join()


@pytest.fixture(autouse=True)
def _programs_freed_on_a_large_stack() -> Iterator[None]:
    yield
    collect_on_a_large_stack()
