"""Shared fixtures and helpers: the seed program (content/examples.py) and what it prints,
a program that runs until stopped, a strict JSON parser, tensors from their JSON form,
nodes of a traced graph by their fields, and waiting for an event."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest
import torch

from chainrule.content.examples import SEED_SOURCE

SEED = SEED_SOURCE  # the page's seed program, from the one place it is written
# What the seed program prints: plain torch's output, held to it by
# tests/api/test_trace_route.py::test_seed_stdout_is_what_plain_torch_prints.
SEED_STDOUT = "dL/dw :  tensor(-0.5600)\ndL/db :  tensor(-0.4000)\n"

# A program that only ends when stopped: a million dot products of 100000 elements, minutes
# of CPU in small steps, with few tensor elements and flat memory, so it meets any wall clock
# the tests set (or a kill) long before the step budget or an element or memory limit.
RUNS_UNTIL_STOPPED = ("import torch\nv = torch.ones(100000)\nfor i in range(1000):\n"
                      "    for j in range(1000):\n        s = torch.dot(v, v)\n")


def _refuse_constant(token: str) -> Any:
    raise ValueError(f"non-standard JSON token {token}")


def strict_loads(body: bytes | str) -> Any:
    """Parse JSON as RFC 8259 says: NaN, Infinity and -Infinity are refused."""
    return json.loads(body, parse_constant=_refuse_constant)


@pytest.fixture
def seed_source() -> str:
    return SEED


@pytest.fixture(scope="session", autouse=True)
def _warm_tracer() -> None:
    """Start-up as the server does it: one warm-up trace, then gc.freeze()."""
    from chainrule.pipeline import warm_up

    warm_up()


def _numbers(data: Any) -> Any:
    """Nested JSON data with "nan", "inf" and "-inf" read back as the floats they stand for."""
    if isinstance(data, list):
        return [_numbers(v) for v in data]
    return float(data) if isinstance(data, str) else data


def as_tensor(payload: dict[str, Any]) -> torch.Tensor:
    """A tensor from its listed JSON form (chainrule's or the oracle's), in its own dtype:
    float32 values read back exactly; "nan", "inf" and "-inf" stand for themselves."""
    assert payload["data"] is not None, "a summarised tensor has no values to read back"
    dtype = getattr(torch, payload["dtype"])
    return torch.tensor(_numbers(payload["data"]), dtype=dtype).reshape(payload["shape"])


def nodes_where(body: dict[str, Any], **match: object) -> list[dict[str, Any]]:
    """The traced graph's nodes whose fields have the given values, in the body's order."""
    return [n for n in body["nodes"] if all(n[k] == v for k, v in match.items())]


def node_where(body: dict[str, Any], **match: object) -> dict[str, Any]:
    """The one node whose fields have the given values (it fails unless exactly one does)."""
    found = nodes_where(body, **match)
    assert len(found) == 1, (match, [(n["id"], n["op"], n["name"]) for n in found])
    return found[0]


def wait_for(condition: Callable[[], object], limit_s: float) -> bool:
    """Poll `condition` until it holds or `limit_s` passes (a deadline, not a speed test)."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return bool(condition())
