"""POST /api/v1/trace and GET /api/v1/health, through the real app."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import torch
from fastapi.testclient import TestClient

from chainrule.app import create_app
from chainrule.pipeline import trace_to_json
from chainrule.settings import ServerSettings
from tests.conftest import SEED, SEED_STDOUT, as_tensor, node_where, strict_loads
from tests.oracle.in_process import run_python


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(ServerSettings(workers=1))) as test_client:
        yield test_client


def test_health_answers_ok(client: TestClient) -> None:
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_seed_response_is_the_pipelines_json(client: TestClient) -> None:
    """The route adds nothing: the body is trace_to_json's bytes, whose every number
    tests/trace/test_differential_oracle.py holds against torch."""
    response = client.post("/api/v1/trace", json={"source": SEED})
    assert response.status_code == 200
    assert response.content == trace_to_json(SEED)


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
    assert body["output"] == node_where(body, op="SumBackward0")["id"]


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


def test_seed_stdout_is_what_plain_torch_prints(client: TestClient) -> None:
    body = client.post("/api/v1/trace", json={"source": SEED}).json()
    assert body["stdout"] == SEED_STDOUT
    assert run_python(SEED)[1] == SEED_STDOUT


def test_unknown_name_error_points_at_line_and_column(client: TestClient) -> None:
    source = SEED.replace("loss = (y-z)", "loss = (y-q)")
    response = client.post("/api/v1/trace", json={"source": source})
    assert response.status_code == 422
    assert strict_loads(response.content) == {
        "error": {"code": "unknown_name", "message": "unknown name 'q'", "line": 7, "col": 10,
                  "names": ["q"]}
    }


def test_syntax_error_points_at_line(client: TestClient) -> None:
    response = client.post("/api/v1/trace", json={"source": "import torch\nx = (1,\n"})
    assert response.status_code == 422
    assert strict_loads(response.content) == {"error": {
        "code": "syntax_error", "message": "invalid syntax: '(' was never closed", "line": 2,
        "col": 4}}


def test_malformed_json_is_a_clean_422(client: TestClient) -> None:
    response = client.post("/api/v1/trace", content=b"{not json",
                           headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert strict_loads(response.content) == {"error": {
        "code": "malformed_json", "message": "the request body is not valid JSON",
        "line": None, "col": None}}


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
    w = torch.tensor(1.0, requires_grad=True)
    b = torch.tensor(0.5, requires_grad=True)
    ((w * torch.tensor([1.4]) + b - torch.tensor([2.1])) ** 2).sum().backward()
    assert torch.equal(as_tensor(node_where(body, name="w")["grad"]), w.grad)
    assert torch.equal(as_tensor(body["variables"]["b"]["grad"]), b.grad)


def test_output_names_the_tensor_to_show(client: TestClient) -> None:
    body = client.post("/api/v1/trace", json={"source": SEED, "output": "z"}).json()
    assert node_where(body, op="AddBackward0")["id"] == body["output"]
    assert {n["op"] for n in body["nodes"]} == {"AddBackward0", "MulBackward0",
                                                "AccumulateGrad", None}


def test_program_without_backward_shows_forward_graph(client: TestClient) -> None:
    source = "import torch\nw = torch.tensor(2.0, requires_grad=True)\nv = w * 3\n"
    body = client.post("/api/v1/trace", json={"source": source}).json()
    assert node_where(body, op="MulBackward0")["value"]["data"] == 6.0
    assert all(n["grad"] is None for n in body["nodes"])


def test_non_finite_values_are_strings(client: TestClient) -> None:
    source = "import torch\nx = torch.tensor([0.0, 1.0, -1.0], requires_grad=True)\ny = x / 0\n"
    response = client.post("/api/v1/trace", json={"source": source})
    body = strict_loads(response.content)
    assert node_where(body, op="DivBackward0")["value"]["data"] == ["nan", "inf", "-inf"]
    # strict_loads refused NaN and Infinity tokens: none were written anywhere.
    assert b"NaN" not in response.content and b"Infinity" not in response.content


def test_openapi_offers_the_seed_program_as_the_trace_example(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    schema = doc["components"]["schemas"]["TraceRequest"]
    assert schema["examples"][0]["source"] == SEED


def test_seed_response_matches_the_schema(client: TestClient) -> None:
    from chainrule.api.schemas import TraceOut

    body = strict_loads(client.post("/api/v1/trace", json={"source": SEED}).content)
    parsed = TraceOut.model_validate(body)
    assert len(parsed.nodes) == 9
    assert len(parsed.steps.backward) == 7


def test_check_option_puts_finite_differences_beside_each_gradient(client: TestClient) -> None:
    """The route passes `check` on: the body is the pipeline's, gradient check included
    (its numbers are held to finite differences in tests/trace/test_gradcheck.py)."""
    response = client.post("/api/v1/trace", json={"source": SEED, "check": True})
    assert response.status_code == 200
    assert response.content == trace_to_json(SEED, check=True)
    leaves = strict_loads(response.content)["check"]["leaves"]
    assert sorted(leaf["name"] for leaf in leaves) == ["b", "w"]
