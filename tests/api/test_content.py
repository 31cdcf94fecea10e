"""Examples and lessons: served as data, and every program in them runs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import torch
from fastapi.testclient import TestClient

from chainrule.app import create_app
from chainrule.content.examples import EXAMPLES
from chainrule.content.lessons import LESSONS
from chainrule.settings import ServerSettings
from tests.conftest import strict_loads


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(ServerSettings(workers=1))) as test_client:
        yield test_client


def test_examples_are_listed_with_id_title_topic_and_source(client: TestClient) -> None:
    listed = client.get("/api/v1/examples").json()
    assert [e["id"] for e in listed] == [e.id for e in EXAMPLES]
    assert set(listed[0]) == {"id", "title", "topic", "source"}
    assert len({e["id"] for e in listed}) == len(listed)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.id)
def test_every_example_runs(client: TestClient, example: object) -> None:
    response = client.post("/api/v1/trace", json={"source": example.source})  # type: ignore[attr-defined]
    assert response.status_code == 200, response.text
    body = strict_loads(response.content)
    assert body["steps"]["backward"], "every example differentiates something"


def test_lessons_are_numbered_one_to_ten(client: TestClient) -> None:
    listed = client.get("/api/v1/lessons").json()
    assert [lesson["number"] for lesson in listed] == list(range(1, 11))


def _node_named(body: dict, name: str) -> dict:
    found = [n for n in body["nodes"] if n["name"] == name or n["op"] == name]
    assert found, name
    return found[0]


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.id)
def test_every_lesson_runs_and_its_pauses_and_answer_exist(client: TestClient,
                                                           lesson: object) -> None:
    response = client.post("/api/v1/trace", json={"source": lesson.source})  # type: ignore[attr-defined]
    assert response.status_code == 200, response.text
    body = strict_loads(response.content)
    for pause in lesson.pauses:  # type: ignore[attr-defined]
        node = _node_named(body, pause.node)
        steps = body["steps"][pause.phase]
        assert any(s["node"] == node["id"] for s in steps), pause
    question = lesson.question  # type: ignore[attr-defined]
    if question.kind == "number":
        node = _node_named(body, question.name)
        if question.phase is not None:
            step = next(s for s in body["steps"]["backward"]
                        if s["node"] == node["id"] and s["phase"] == question.phase)
            assert step["accumulated"] is not None
        else:
            assert node[question.field] is not None
    else:
        assert question.answer in question.options


def test_lesson_one_variant_shows_torchs_error_for_an_integer_tensor(client: TestClient) -> None:
    variant = LESSONS[0].variants[0]
    response = client.post("/api/v1/trace", json={"source": variant.source})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "torch_error"
    assert error["line"] == 2
    with pytest.raises(RuntimeError) as caught:
        torch.tensor([1, 2], requires_grad=True)
    assert error["message"] == str(caught.value)
