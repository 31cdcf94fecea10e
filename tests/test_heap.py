"""The web process gives back what clients that read nothing held (backend/chainrule/heap.py)."""

from __future__ import annotations

from collections.abc import Callable

from chainrule.heap import Releaser, release_free_memory


def test_glibc_hands_free_heap_pages_back() -> None:
    """Debian's C library is glibc: the release runs (elsewhere it says it did nothing)."""
    assert release_free_memory() is True


class _Loop:
    """The event loop's call_soon, run by hand: the callbacks wait for `turn()`. (The
    browser tests leave Playwright's loop running on this thread: no asyncio.run here.)"""

    def __init__(self) -> None:
        self.ready: list[Callable[[], None]] = []

    def call_soon(self, callback: Callable[[], None]) -> object:
        self.ready.append(callback)
        return object()  # what Releaser keeps to know a release is on its way

    def turn(self) -> None:
        ready, self.ready = self.ready, []
        for callback in ready:
            callback()


def test_a_burst_of_dropped_connections_releases_once_after_the_turn() -> None:
    releaser, loop = Releaser(), _Loop()
    for _ in range(3):
        releaser.soon(loop)  # type: ignore[arg-type]
    during = releaser.released
    loop.turn()
    assert (during, releaser.released, loop.ready) == (0, 1, [])


def test_a_later_burst_releases_again() -> None:
    releaser, loop = Releaser(), _Loop()
    for _ in range(2):
        releaser.soon(loop)  # type: ignore[arg-type]
        loop.turn()
    assert releaser.released == 2
