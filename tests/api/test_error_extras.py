"""What an error carries beyond its place, through the real app and a worker: torch's own
message, every unknown name, the output printed before the error and the graph of what ran
(forward values only, equal to plain torch's)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import torch
from fastapi.testclient import TestClient

from chainrule.api.schemas import ErrorOut
from chainrule.app import create_app
from chainrule.settings import PROGRAM_SEED, ServerSettings
from tests.conftest import as_tensor, node_where, strict_loads

PARTWAY = (
    "import torch\n"
    "W = torch.randn(3, 4, requires_grad=True)\n"
    "x = torch.randn(4, 2)\n"
    "h = torch.tanh(W @ x) * 2\n"
    "print('h has shape', h.shape)\n"
    "y = h @ torch.ones(3, 1)\n"
    "y.sum().backward()\n"
)


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(ServerSettings(workers=1))) as test_client:
        yield test_client


def _error(client: TestClient, request: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/api/v1/trace", json=request)
    assert response.status_code == 422
    body = strict_loads(response.content)
    ErrorOut.model_validate(body)  # the contract holds, extras included
    error: dict[str, Any] = body["error"]
    return error


def test_shape_error_says_the_expression_and_keeps_torchs_message(client: TestClient) -> None:
    error = _error(client, {"source": PARTWAY})
    placed = {key: error[key] for key in ("code", "message", "line", "col", "torch_message")}
    assert placed == {
        "code": "torch_error", "message": "h @ torch.ones(3, 1): 3×2 and 3×1 cannot be "
        "multiplied", "line": 6, "col": 4,
        "torch_message": "mat1 and mat2 shapes cannot be multiplied (3x2 and 3x1)"}
    assert error["stdout"] == "h has shape torch.Size([3, 2])\n"


def test_partial_graph_holds_plain_torchs_values_for_the_statements_that_ran(
        client: TestClient) -> None:
    partial = _error(client, {"source": PARTWAY})["partial"]
    torch.manual_seed(PROGRAM_SEED)
    W = torch.randn(3, 4, requires_grad=True)
    x = torch.randn(4, 2)
    product = W @ x
    h = torch.tanh(product) * 2
    assert torch.equal(as_tensor(node_where(partial, name="W")["value"]), W.detach())
    assert torch.equal(as_tensor(node_where(partial, name="x")["value"]), x)
    assert torch.equal(as_tensor(node_where(partial, op="MmBackward0")["value"]),
                       product.detach())
    assert torch.equal(as_tensor(node_where(partial, op="TanhBackward0")["value"]),
                       torch.tanh(product).detach())
    assert torch.equal(as_tensor(node_where(partial, name="h")["value"]), h.detach())
    assert partial["output"] == node_where(partial, name="h")["id"]
    assert partial["stdout"] == "h has shape torch.Size([3, 2])\n"


def test_partial_graph_has_forward_steps_only(client: TestClient) -> None:
    partial = _error(client, {"source": PARTWAY})["partial"]
    assert [n["op"] for n in partial["nodes"]] == [
        "MulBackward0", "TanhBackward0", "MmBackward0", "AccumulateGrad", None]
    assert len(partial["steps"]["forward"]) == 5
    assert (partial["steps"]["backward"], partial["phases"]) == ([], [])
    assert [n["grad"] for n in partial["nodes"]] == [None] * 5
    assert [e["grad"] for e in partial["edges"]] == [None] * len(partial["edges"])


def test_error_before_any_tensor_carries_no_partial_graph(client: TestClient) -> None:
    error = _error(client, {"source": "import torch\nprint('start')\nx = 1 / 0\n"})
    assert error == {"code": "arithmetic_error", "message": "ZeroDivisionError: division by "
                     "zero", "line": 3, "col": 4, "stdout": "start\n"}


def test_unknown_names_are_all_listed_in_source_order(client: TestClient) -> None:
    error = _error(client, {"source": "(w * x + b).sum()"})
    assert error == {"code": "unknown_name", "message": "unknown name 'w'", "line": 1,
                     "col": 1, "names": ["w", "x", "b"]}


def test_unknown_names_leave_out_bound_ones_and_builtins(client: TestClient) -> None:
    error = _error(client, {"source": "(w * x + b).sum() + len([a, x])",
                            "variables": {"x": {"value": 2.0}}})
    assert error["names"] == ["w", "b", "a"]


def test_expression_with_several_elements_says_to_add_sum(client: TestClient) -> None:
    response = client.post("/api/v1/trace", json={
        "source": "w * x", "variables": {"w": {"value": [1.0, 2.0], "requires_grad": True},
                                         "x": {"value": 3.0}}})
    assert response.status_code == 200
    body = strict_loads(response.content)
    assert body["notes"] == ["the result has 2 elements: add .sum() to differentiate it"]
    assert body["steps"]["backward"] == []
    assert node_where(body, op="MulBackward0")["value"]["data"] == [3.0, 6.0]


def test_partial_graph_is_the_last_assigned_tensor_an_op_made(client: TestClient) -> None:
    source = ("import torch\nw = torch.ones(2, requires_grad=True)\nh = (w * 3).exp()\n"
              "W2 = torch.ones(3, 3, requires_grad=True)\ny = W2 @ h\n")
    partial = _error(client, {"source": source})["partial"]
    assert partial["output"] == node_where(partial, name="h")["id"]
    assert [n["name"] for n in partial["nodes"]] == ["h", None, "w"]
