"""Shared fixtures: the seed program and a strict JSON parser."""

from __future__ import annotations

import json
from typing import Any

import pytest
import torch

SEED = """import torch
w = torch.tensor(1.0, requires_grad=True)
b = torch.tensor(0.5, requires_grad=True)
x = torch.tensor([1.4])
y = torch.tensor([2.1])
z = torch.add(torch.mul(w, x), b)  # forward pass
loss = (y-z).pow(2).sum()
loss.backward()
print('dL/dw : ', w.grad)
print('dL/db : ', b.grad)
"""


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
    from chainrule.runner import warm_up

    warm_up()


def as_tensor(payload: dict[str, Any]) -> torch.Tensor:
    """A tensor from its JSON form, in its own dtype: float32 values read back exactly."""
    dtype = getattr(torch, payload["dtype"])
    return torch.tensor(payload["data"], dtype=dtype).reshape(payload["shape"])
