"""The interpreter's tests run programs on the test's own thread, whose stack is small.

A program's objects hold each other in cycles (the interpreter and its handlers, a graph
and its tensors), so the collector frees them, whenever it next runs: maybe in a later
test, on this small stack, where torch frees a deep graph recursively. The server frees
each program's cycles on its trace thread's large stack (pipeline.py); here the same is
done after each test, so no test's garbage is freed in another's middle."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from chainrule.pipeline import on_large_stack


@pytest.fixture(autouse=True)
def _programs_freed_on_a_large_stack() -> Iterator[None]:
    yield
    on_large_stack(gc.collect, "chainrule-test-collect")
