"""A clock the tests move by hand: expiry and rate limits without sleeping."""

from __future__ import annotations


class FakeClock:
    """Seconds, starting at 1000; `advance` moves them on."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
