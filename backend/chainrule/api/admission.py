"""Per-client rate limiting: a token bucket per address, with an injectable clock."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

LOCALHOST = frozenset({"127.0.0.1", "::1", "localhost", "testclient"})
_MAX_CLIENTS = 10_000  # addresses remembered at once; the oldest are forgotten first


class RateLimiter:
    """Allows `per_minute` requests per client, in bursts of up to `per_minute`."""

    def __init__(self, per_minute: int, include_localhost: bool = False,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.include_localhost = include_localhost
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # client -> (tokens, when)
        self._lock = threading.Lock()

    def check(self, client: str) -> float | None:
        """None when the request may go on, else the seconds to wait before retrying."""
        if self.per_minute <= 0 or (client in LOCALHOST and not self.include_localhost):
            return None
        now = self._clock()
        rate = self.per_minute / 60.0
        with self._lock:
            tokens, then = self._buckets.pop(client, (float(self.per_minute), now))
            tokens = min(float(self.per_minute), tokens + (now - then) * rate)
            if tokens >= 1.0:
                self._buckets[client] = (tokens - 1.0, now)
                wait = None
            else:
                self._buckets[client] = (tokens, now)
                wait = (1.0 - tokens) / rate
            while len(self._buckets) > _MAX_CLIENTS:
                self._buckets.pop(next(iter(self._buckets)))
        return None if wait is None else max(1.0, math.ceil(wait))
