"""Where a tensor feeds several ops, the gradients of its out-edges add up to its own.

(Every value and gradient against torch itself is in test_differential_oracle.py.)
"""

from __future__ import annotations

from typing import Any

import pytest
import torch

from chainrule.runner import trace_to_json
from tests.conftest import as_tensor, strict_loads
from tests.language.corpus import CORPUS

WITH_BACKWARD = sorted(name for name, source in CORPUS.items() if ".backward(" in source)


def _sums(grad: dict[str, Any] | None, parts: list[int], body: dict[str, Any]) -> int:
    """Assert the parts add up to `grad`; how many sums were checked."""
    grads = [body["edges"][i]["grad"] for i in parts]
    if not parts or grad is None or any(g is None for g in grads):
        return 0
    total = sum(as_tensor(g) for g in grads)
    assert torch.allclose(total, as_tensor(grad), rtol=1e-6, atol=1e-7), parts
    return 1


@pytest.mark.parametrize("name", WITH_BACKWARD)
def test_fan_out_gradients_sum_to_the_node_gradient(name: str) -> None:
    body = strict_loads(trace_to_json(CORPUS[name]))
    for node in body["nodes"]:
        _sums(node["grad"], node["grad_parts"], body)
        for output in node["outputs"]:
            _sums(output["grad"], output["grad_parts"], body)


def test_fan_out_is_summed_per_output_of_an_op_with_several() -> None:
    body = strict_loads(trace_to_json(CORPUS["split_and_use_one_part"]))
    split = next(n for n in body["nodes"] if n["op"] == "SplitWithSizesBackward0")
    q = next(o for o in split["outputs"] if o["name"] == "q")
    assert len(q["grad_parts"]) == 3  # q * 2 and q * q (twice)
    assert _sums(q["grad"], q["grad_parts"], body) == 1
