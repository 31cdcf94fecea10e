"""Per-client rate limiting: a token bucket per address, with an injectable clock."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

LOCALHOST = frozenset({"127.0.0.1", "::1", "localhost", "testclient"})
_MAX_CLIENTS = 10_000  # addresses remembered at once; the oldest are forgotten first


class RateLimited(Exception):
    """A route's own limit refused this address (api/errors.py answers 429 rate_limited
    with Retry-After: `retry_after_s`)."""

    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after_s = retry_after_s


class RateLimiter:
    """Allows `per_minute` requests per client per `window_s` (a minute unless told), in
    bursts of up to `per_minute`."""

    def __init__(self, per_minute: int, include_localhost: bool = False,
                 clock: Callable[[], float] = time.monotonic, window_s: float = 60.0) -> None:
        self.per_minute = per_minute
        self.window_s = window_s
        self.include_localhost = include_localhost
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # client -> (tokens, when)
        self._lock = threading.Lock()

    def check(self, client: str) -> float | None:
        """None when the request may go on, else the seconds to wait before retrying."""
        if self.per_minute <= 0 or (client in LOCALHOST and not self.include_localhost):
            return None
        now = self._clock()
        rate = self.per_minute / self.window_s
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

    def blocked(self, client: str) -> float | None:
        """As check(), without taking a token: None when the client's bucket holds one,
        else the seconds until it will."""
        if self.per_minute <= 0 or (client in LOCALHOST and not self.include_localhost):
            return None
        rate = self.per_minute / self.window_s
        with self._lock:
            tokens, then = self._buckets.get(client, (float(self.per_minute), self._clock()))
        tokens = min(float(self.per_minute), tokens + (self._clock() - then) * rate)
        return None if tokens >= 1.0 else max(1.0, math.ceil((1.0 - tokens) / rate))
