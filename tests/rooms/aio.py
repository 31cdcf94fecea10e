"""Coroutines run to their end from a plain test."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run_coroutine(coroutine: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run(coroutine)` on a thread of its own: after the browser tests,
    pytest-playwright's event loop runs on the test thread, where asyncio.run refuses to
    start another."""
    with ThreadPoolExecutor(1, thread_name_prefix="rooms-test") as pool:
        return pool.submit(asyncio.run, coroutine).result()
