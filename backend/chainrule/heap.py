"""Giving the web process's freed memory back to the system, after a client that read
none of its response goes away.

Such a client leaves its whole response (up to the response limit) in the connection's
write buffer until it is dropped or closes. glibc keeps what is freed in its heaps for
reuse, and with one heap per thread, rounds of such clients grew the web process for good
(four rounds of 30 clients of 9.6 MB each: 435, 601, 753, 804 MB). `malloc_trim(0)` hands
the free pages of every heap back. It runs once per burst of such connections, on the
event loop, never for a client that reads its responses: ordinary large responses keep
reusing the heaps (unmapping every large body instead cost the largest traces 1.5-2.5x
the web process's CPU).
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
from functools import cache

_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt parameters
MMAP_THRESHOLD_BYTES = 4 << 20
TRIM_THRESHOLD_BYTES = 8 << 20


@cache
def _libc() -> ctypes.CDLL | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim, libc.mallopt  # noqa: B018 (glibc's, or not glibc)
    except (OSError, AttributeError):  # not glibc: nothing to do
        return None
    return libc


def map_large_buffers_alone() -> bool:
    """Have glibc map every allocation of MMAP_THRESHOLD_BYTES or more on its own, and
    unmap it when freed. By default glibc raises that threshold after the first large
    buffer is freed, up to 32 MiB, and later bodies near the response limit then come
    from its heaps and stay there. 4 MiB leaves a large gzip response (about 1 MB) to the
    heaps, which reuse it at no cost.

    Fixing the threshold also stops glibc raising its trim threshold with it: each freed
    body would then shrink the heap and the next one grow it again, page by page (0.6-0.8
    ms more of the web process's CPU per large gzip trace). The heaps keep up to
    TRIM_THRESHOLD_BYTES free instead; release_free_memory gives back the rest when a
    client that read nothing goes. False where the C library is not glibc."""
    libc = _libc()
    return libc is not None and bool(libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)) \
        and bool(libc.mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES))


def release_free_memory() -> bool:
    """Return the free pages of every glibc heap to the system; False where the C library
    is not glibc (nothing done)."""
    libc = _libc()
    if libc is None:
        return False
    libc.malloc_trim(0)
    return True


class Releaser:
    """One release per burst: `soon()` from any number of dropped connections in one turn
    of the event loop runs `release_free_memory` once, after their buffers are freed."""

    def __init__(self) -> None:
        self._scheduled: asyncio.Handle | None = None
        self.released = 0  # how many times it ran (tests)

    def soon(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._scheduled is None:
            self._scheduled = loop.call_soon(self._run)

    def _run(self) -> None:
        self._scheduled = None
        release_free_memory()
        self.released += 1


RELEASER = Releaser()
