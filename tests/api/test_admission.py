"""The rate limiter on its own, with a controllable clock."""

from __future__ import annotations

from chainrule.api.admission import RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_of_the_per_minute_rate_passes_then_the_wait_is_whole_seconds() -> None:
    clock = Clock()
    limiter = RateLimiter(30, clock=clock)
    assert [limiter.check("10.0.0.1") for _ in range(30)] == [None] * 30
    assert limiter.check("10.0.0.1") == 2  # one token every 2 s at 30 per minute


def test_tokens_come_back_at_the_rate() -> None:
    clock = Clock()
    limiter = RateLimiter(60, clock=clock)
    for _ in range(60):
        limiter.check("10.0.0.1")
    assert limiter.check("10.0.0.1") == 1
    clock.now += 1.0
    assert limiter.check("10.0.0.1") is None
    assert limiter.check("10.0.0.1") == 1


def test_clients_have_separate_buckets() -> None:
    limiter = RateLimiter(1, clock=Clock())
    assert limiter.check("10.0.0.1") is None
    assert limiter.check("10.0.0.1") == 60
    assert limiter.check("10.0.0.2") is None


def test_localhost_is_exempt_unless_included() -> None:
    exempt = RateLimiter(1, clock=Clock())
    assert [exempt.check("127.0.0.1") for _ in range(5)] == [None] * 5
    assert [exempt.check("::1") for _ in range(5)] == [None] * 5
    included = RateLimiter(1, include_localhost=True, clock=Clock())
    assert included.check("127.0.0.1") is None
    assert included.check("127.0.0.1") == 60


def test_zero_per_minute_turns_the_limit_off() -> None:
    limiter = RateLimiter(0, include_localhost=True, clock=Clock())
    assert [limiter.check("10.0.0.1") for _ in range(1000)] == [None] * 1000
