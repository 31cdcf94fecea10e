"""Admission on a live server: a full queue gets 503 and a client past its rate gets 429,
both with a Retry-After the client can act on, and a request log line with the code.

One small server: one worker, a queue of one, a 2 s wall clock and a rate limit of
RATE_PER_MINUTE that applies to localhost too. Each test sends from its own loopback
address, so the rate limiter counts them as separate clients.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import SEED, strict_loads
from tests.server import LiveServer, ServerFailed, serve

TRACE = "/api/v1/trace"
HEALTH = "/api/v1/health"
JSON = {"content-type": "application/json"}
RATE_PER_MINUTE = 20
TIMEOUT_S = 2
# Runs to the wall clock, long before the step budget or the element limit.
SLOW = ("import torch\nv = torch.ones(100000)\nfor i in range(1000):\n"
        "    for j in range(1000):\n        s = torch.dot(v, v)\n")
SETTLE_S = 1.0  # time for a sent request to reach the pool (it is then running or queued)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    env = {"CHAINRULE_WORKERS": "1", "CHAINRULE_QUEUE": "1", "CHAINRULE_STANDBY": "0",
           "CHAINRULE_TIMEOUT_S": str(TIMEOUT_S), "CHAINRULE_RATE_LOCALHOST": "1",
           "CHAINRULE_RATE_PER_MINUTE": str(RATE_PER_MINUTE)}
    try:
        with serve(tmp_path_factory.mktemp("admission"), env) as live:
            yield live
    except ServerFailed as exc:
        pytest.fail(str(exc), pytrace=False)


def trace(server: LiveServer, source: str, address: str) -> tuple[int, dict[str, str], object]:
    reply = server.request("POST", TRACE, json.dumps({"source": source}).encode(), JSON,
                           source_address=address)
    return reply.status, reply.headers, strict_loads(reply.body)


def test_full_queue_gets_503_overloaded_with_retry_after(server: LiveServer) -> None:
    address = "127.0.0.2"
    with ThreadPoolExecutor(max_workers=2) as executor:
        # One slow program runs on the only worker, the other waits in the queue of one.
        slow = [executor.submit(trace, server, SLOW, address) for _ in range(2)]
        time.sleep(SETTLE_S)
        status, headers, payload = trace(server, SEED, address)
        assert status == 503
        assert headers["retry-after"] == "2"
        server.wait_for_record(lambda r: r["status"] == 503 and r["error"] == "overloaded")
        assert payload == {"error": {
            "code": "overloaded",
            "message": "the server is busy: every worker is running a program and the queue "
                       "is full; try again in a moment",
            "line": None, "col": None}}
        for future in slow:
            assert future.result()[:1] == (422,)
            assert future.result()[2] == {"error": {
                "code": "timeout", "message": f"the program ran longer than {TIMEOUT_S} s and "
                "was stopped", "line": None, "col": None}}
    status, _, payload = trace(server, SEED, address)
    assert status == 200
    assert payload["stdout"].startswith("dL/dw")  # type: ignore[index]


def test_rate_limit_answers_429_with_an_honest_retry_after(server: LiveServer) -> None:
    # 127.0.0.1 itself: CHAINRULE_RATE_LOCALHOST=1 puts localhost under the limit.
    statuses = []
    reply = None
    for _ in range(RATE_PER_MINUTE + 5):
        reply = server.request("GET", HEALTH)
        statuses.append(reply.status)
        if reply.status == 429:
            break
    assert reply is not None and reply.status == 429
    # A burst of RATE_PER_MINUTE is allowed (the fixture's health check took one).
    assert RATE_PER_MINUTE - 1 <= statuses.index(429) <= RATE_PER_MINUTE + 1
    assert strict_loads(reply.body) == {"error": {
        "code": "rate_limited",
        "message": "too many requests from this address; try again later",
        "line": None, "col": None}}
    server.wait_for_record(lambda r: r["status"] == 429 and r["error"] == "rate_limited")
    retry_after = int(reply.headers["retry-after"])
    assert 1 <= retry_after <= 60 // RATE_PER_MINUTE
    time.sleep(retry_after)
    assert server.request("GET", HEALTH).status == 200
