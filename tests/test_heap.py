"""The web process gives back what clients that read nothing held (backend/chainrule/heap.py)."""

from __future__ import annotations

import asyncio

from chainrule.heap import Releaser, release_free_memory


def test_glibc_hands_free_heap_pages_back() -> None:
    """Debian's C library is glibc: the release runs (elsewhere it says it did nothing)."""
    assert release_free_memory() is True


def test_a_burst_of_dropped_connections_releases_once_after_the_turn() -> None:
    releaser = Releaser()

    async def drop_three() -> tuple[int, int]:
        loop = asyncio.get_running_loop()
        for _ in range(3):
            releaser.soon(loop)
        during = releaser.released
        await asyncio.sleep(0)  # one turn of the loop: the scheduled release runs
        return during, releaser.released

    assert asyncio.run(drop_three()) == (0, 1)


def test_a_later_burst_releases_again() -> None:
    releaser = Releaser()

    async def two_bursts() -> int:
        loop = asyncio.get_running_loop()
        for _ in range(2):
            releaser.soon(loop)
            await asyncio.sleep(0)
        return releaser.released

    assert asyncio.run(two_bursts()) == 2
