"""POST /api/v1/trace and GET /api/v1/health, through the real app."""

from __future__ import annotations

import math
from collections.abc import Iterator

import pytest
import torch
from fastapi.testclient import TestClient

from chainrule.app import create_app
from chainrule.settings import ServerSettings
from tests.conftest import SEED, as_tensor, strict_loads


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(ServerSettings(workers=1))) as test_client:
        yield test_client


def _torch_seed() -> dict[str, torch.Tensor]:
    """The seed program run by real torch: the oracle."""
    w = torch.tensor(1.0, requires_grad=True)
    b = torch.tensor(0.5, requires_grad=True)
    x = torch.tensor([1.4])
    y = torch.tensor([2.1])
    mul = torch.mul(w, x)
    z = torch.add(mul, b)
    diff = y - z
    sq = diff.pow(2)
    loss = sq.sum()
    for t in (mul, z, diff, sq, loss):
        t.retain_grad()
    loss.backward()
    return {"w": w, "b": b, "x": x, "y": y, "mul": mul, "z": z, "diff": diff, "sq": sq,
            "loss": loss}


def _node(body: dict, **match: object) -> dict:
    found = [n for n in body["nodes"] if all(n[k] == v for k, v in match.items())]
    assert len(found) == 1, (match, body["nodes"])
    return found[0]


def test_health_answers_ok(client: TestClient) -> None:
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_seed_gradients_equal_torch(client: TestClient) -> None:
    oracle = _torch_seed()
    body = strict_loads(client.post("/api/v1/trace", json={"source": SEED}).content)
    w = _node(body, name="w")
    b = _node(body, name="b")
    assert torch.equal(as_tensor(w["grad"]), oracle["w"].grad)
    assert torch.equal(as_tensor(b["grad"]), oracle["b"].grad)
    assert w["grad"]["data"] == pytest.approx(-0.56, rel=1e-6)
    assert b["grad"]["data"] == pytest.approx(-0.4, rel=1e-6)
    assert body["variables"]["w"]["grad"]["data"] == pytest.approx(-0.56, rel=1e-6)


def test_seed_op_values_and_grads_equal_torch(client: TestClient) -> None:
    oracle = _torch_seed()
    body = strict_loads(client.post("/api/v1/trace", json={"source": SEED}).content)
    for op, key in [("MulBackward0", "mul"), ("AddBackward0", "z"), ("SubBackward0", "diff"),
                    ("PowBackward0", "sq"), ("SumBackward0", "loss")]:
        node = _node(body, op=op)
        expected = oracle[key]
        assert torch.equal(as_tensor(node["value"]), expected.detach())
        assert torch.equal(as_tensor(node["grad"]), expected.grad)


def test_seed_node_kinds_and_op_names(client: TestClient) -> None:
    body = client.post("/api/v1/trace", json={"source": SEED}).json()
    kinds = sorted((n["kind"], n["op"], n["name"]) for n in body["nodes"])
    assert kinds == sorted([
        ("constant", None, "x"), ("constant", None, "y"),
        ("leaf", "AccumulateGrad", "b"), ("leaf", "AccumulateGrad", "w"),
        ("op", "AddBackward0", "z"), ("op", "MulBackward0", None),
        ("op", "PowBackward0", None), ("op", "SubBackward0", None),
        ("op", "SumBackward0", "loss"),
    ])
    assert body["output"] == _node(body, op="SumBackward0")["id"]


def test_seed_edges_point_from_input_to_consumer(client: TestClient) -> None:
    body = client.post("/api/v1/trace", json={"source": SEED}).json()
    by_id = {n["id"]: n for n in body["nodes"]}
    edges = sorted(
        (by_id[e["source"]]["name"] or by_id[e["source"]]["op"],
         by_id[e["target"]]["op"], e["input"])
        for e in body["edges"]
    )
    assert edges == sorted([
        ("w", "MulBackward0", 0), ("x", "MulBackward0", 1),
        ("MulBackward0", "AddBackward0", 0), ("b", "AddBackward0", 1),
        ("y", "SubBackward0", 0), ("z", "SubBackward0", 1),
        ("SubBackward0", "PowBackward0", 0), ("PowBackward0", "SumBackward0", 0),
    ])


def test_seed_edge_grads_are_what_flowed_back(client: TestClient) -> None:
    body = client.post("/api/v1/trace", json={"source": SEED}).json()
    by_id = {n["id"]: n for n in body["nodes"]}
    w_edge = next(e for e in body["edges"] if by_id[e["source"]]["name"] == "w")
    x_edge = next(e for e in body["edges"] if by_id[e["source"]]["name"] == "x")
    assert w_edge["grad"]["data"] == pytest.approx(-0.56, rel=1e-6)
    assert x_edge["grad"] is None  # x does not require grad: nothing flows to it


def test_seed_prints_as_torch_prints(client: TestClient) -> None:
    body = client.post("/api/v1/trace", json={"source": SEED}).json()
    assert body["stdout"] == "dL/dw :  tensor(-0.5600)\ndL/db :  tensor(-0.4000)\n"


def test_unknown_name_error_points_at_line_and_column(client: TestClient) -> None:
    source = SEED.replace("loss = (y-z)", "loss = (y-q)")
    response = client.post("/api/v1/trace", json={"source": source})
    assert response.status_code == 422
    assert strict_loads(response.content) == {
        "error": {"code": "unknown_name", "message": "unknown name 'q'", "line": 7, "col": 10}
    }


def test_syntax_error_points_at_line(client: TestClient) -> None:
    response = client.post("/api/v1/trace", json={"source": "import torch\nx = (1,\n"})
    assert response.status_code == 422
    error = response.json()["error"]
    assert (error["code"], error["line"]) == ("syntax_error", 2)
    assert error["message"] == "invalid syntax: '(' was never closed"


def test_malformed_json_is_a_clean_422(client: TestClient) -> None:
    response = client.post("/api/v1/trace", content=b"{not json",
                           headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "malformed_json"


def test_unknown_request_field_is_refused(client: TestClient) -> None:
    response = client.post("/api/v1/trace", json={"source": "1", "extra": 1})
    assert response.status_code == 422
    assert response.json()["error"] == {
        "code": "invalid_request", "message": "extra: Extra inputs are not permitted",
        "line": None, "col": None,
    }


def test_expression_with_variables_is_differentiated(client: TestClient) -> None:
    response = client.post("/api/v1/trace", json={
        "source": "((w * x + b - y) ** 2).sum()",
        "variables": {"w": {"value": 1.0, "requires_grad": True}, "x": {"value": [1.4]},
                      "b": {"value": 0.5, "requires_grad": True}, "y": {"value": [2.1]}},
    })
    assert response.status_code == 200
    body = strict_loads(response.content)
    assert _node(body, name="w")["grad"]["data"] == pytest.approx(-0.56, rel=1e-6)
    assert body["variables"]["b"]["grad"]["data"] == pytest.approx(-0.4, rel=1e-6)


def test_output_names_the_tensor_to_show(client: TestClient) -> None:
    body = client.post("/api/v1/trace", json={"source": SEED, "output": "z"}).json()
    assert _node(body, op="AddBackward0")["id"] == body["output"]
    assert {n["op"] for n in body["nodes"]} == {"AddBackward0", "MulBackward0",
                                                "AccumulateGrad", None}


def test_program_without_backward_shows_forward_graph(client: TestClient) -> None:
    source = "import torch\nw = torch.tensor(2.0, requires_grad=True)\nv = w * 3\n"
    body = client.post("/api/v1/trace", json={"source": source}).json()
    assert _node(body, op="MulBackward0")["value"]["data"] == 6.0
    assert all(n["grad"] is None for n in body["nodes"])


def test_non_finite_values_are_strings(client: TestClient) -> None:
    source = "import torch\nx = torch.tensor([0.0, 1.0, -1.0], requires_grad=True)\ny = x / 0\n"
    response = client.post("/api/v1/trace", json={"source": source})
    body = strict_loads(response.content)
    assert _node(body, op="DivBackward0")["value"]["data"] == ["nan", "inf", "-inf"]
    assert not any(math.isnan(v) for v in [1.0])


def test_openapi_documents_trace_with_examples(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    trace = doc["paths"]["/api/v1/trace"]["post"]
    assert "422" in trace["responses"]
    schema = doc["components"]["schemas"]["TraceRequest"]
    assert schema["examples"][0]["source"] == SEED


def test_seed_response_matches_the_schema(client: TestClient) -> None:
    from chainrule.api.schemas import TraceOut

    body = strict_loads(client.post("/api/v1/trace", json={"source": SEED}).content)
    parsed = TraceOut.model_validate(body)
    assert len(parsed.nodes) == 9
    assert len(parsed.steps.backward) == 7


def test_check_option_puts_finite_differences_beside_each_gradient(client: TestClient) -> None:
    body = strict_loads(client.post("/api/v1/trace", json={"source": SEED, "check": True}).content)
    leaves = {leaf["name"]: leaf for leaf in body["check"]["leaves"]}
    assert sorted(leaves) == ["b", "w"]
    assert leaves["w"]["numeric"][0] == pytest.approx(-0.56, rel=1e-6)
    assert leaves["w"]["analytic"][0] == pytest.approx(-0.56, rel=1e-6)
    assert leaves["w"]["max_rel_error"] < 1e-6
