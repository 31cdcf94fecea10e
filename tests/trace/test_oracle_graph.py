"""Where a tensor feeds several ops, the gradients of its out-edges add up to its own.

(Every value and gradient against torch itself is in test_differential_oracle.py.)
"""

from __future__ import annotations

from typing import Any

import pytest
import torch

from chainrule.pipeline import trace_to_json
from tests.conftest import as_tensor, node_where, strict_loads
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


def _fan_outs(body: dict[str, Any]) -> int:
    """How many tensors (an op's output, a leaf) feed several edges while every one of them,
    and the tensor itself, has a gradient: the sums there are to check."""
    edges: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for edge in body["edges"]:
        edges.setdefault((edge["source"], edge["output"]), []).append(edge)
    grads = {(n["id"], 0): n["grad"] for n in body["nodes"]}
    grads.update({(n["id"], o["output"]): o["grad"] for n in body["nodes"] for o in n["outputs"]})
    return sum(1 for key, out in edges.items() if len(out) > 1 and grads[key] is not None
               and all(e["grad"] is not None for e in out))


@pytest.mark.parametrize("name", WITH_BACKWARD)
def test_fan_out_gradients_sum_to_the_node_gradient(name: str) -> None:
    body = strict_loads(trace_to_json(CORPUS[name]))
    checked = 0
    for node in body["nodes"]:
        checked += _sums(node["grad"], node["grad_parts"], body)
        for output in node["outputs"]:
            checked += _sums(output["grad"], output["grad_parts"], body)
    assert checked == _fan_outs(body)  # every fan-out is marked, and only those


def test_fan_out_is_summed_per_output_of_an_op_with_several() -> None:
    body = strict_loads(trace_to_json(CORPUS["split_and_use_one_part"]))
    split = node_where(body, op="SplitWithSizesBackward0")
    q = next(o for o in split["outputs"] if o["name"] == "q")
    assert len(q["grad_parts"]) == 3  # q * 2 and q * q (twice)
    assert _sums(q["grad"], q["grad_parts"], body) == 1
