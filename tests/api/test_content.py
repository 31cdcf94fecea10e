"""Examples and lessons: served as data, and every program in them runs."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import pytest
import torch
from fastapi.testclient import TestClient

from chainrule.app import create_app
from chainrule.content.examples import EXAMPLES, Example
from chainrule.content.lessons import LESSONS, Lesson
from chainrule.pipeline import trace_to_json
from chainrule.settings import ServerSettings
from tests.conftest import as_tensor, node_where, nodes_where, strict_loads


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
def test_every_example_runs_and_is_served_as_the_pipeline_traced_it(
        client: TestClient, example: Example) -> None:
    """Byte for byte the pipeline's JSON, whose numbers tests/trace/test_differential_oracle.py
    holds against torch."""
    response = client.post("/api/v1/trace", json={"source": example.source})
    assert response.status_code == 200, response.text
    assert response.content == trace_to_json(example.source)


def test_lessons_are_numbered_one_to_eleven(client: TestClient) -> None:
    listed = client.get("/api/v1/lessons").json()
    assert [lesson["number"] for lesson in listed] == list(range(1, 12))


def _named(body: dict[str, Any], label: str) -> list[dict[str, Any]]:
    """The nodes a lesson's pause or question names, as the page finds them: by variable
    name, else by op (every AddmmBackward0 of a two-layer net)."""
    found = nodes_where(body, name=label) or nodes_where(body, op=label)
    assert found, label
    return found


def _answer(payload: dict[str, Any]) -> float:
    """The number a student's answer is marked against: the tensor's first element (a.grad[0]
    for a vector), as the page reads it."""
    return float(as_tensor(payload).flatten()[0])


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.id)
def test_every_lesson_runs_and_its_pauses_and_answer_exist(client: TestClient,
                                                           lesson: Lesson) -> None:
    response = client.post("/api/v1/trace", json={"source": lesson.source})
    assert response.status_code == 200, response.text
    body = strict_loads(response.content)
    for pause in lesson.pauses:
        ids = {n["id"] for n in _named(body, pause.node)}
        assert any(s["node"] in ids for s in body["steps"][pause.phase]), pause
    question = lesson.question
    if question.kind == "number":  # the answer is a finite traced number
        assert question.name is not None
        node = node_where(body, name=question.name)
        if question.phase is not None:
            (step,) = [s for s in body["steps"]["backward"]
                       if s["node"] == node["id"] and s["phase"] == question.phase]
            assert math.isfinite(_answer(step["accumulated"]))
        else:
            assert math.isfinite(_answer(node[question.field]))


def test_every_choice_question_served_has_its_answer_among_its_options(
        client: TestClient) -> None:
    questions = [lesson["question"] for lesson in client.get("/api/v1/lessons").json()
                 if lesson["question"]["kind"] == "choice"]
    assert [q["options"].count(q["answer"]) for q in questions] == [1] * len(questions)


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


def test_the_vanishing_lesson_says_what_its_optimizer_does_with_a_faint_gradient() -> None:
    """Lesson 11's words against plain torch: the first layer's gradient ends millions of
    times under the last layer's; Adam (which the text names) still moves the first layer;
    plain SGD at the same rate would barely move it."""
    from chainrule.settings import PROGRAM_SEED

    lesson = next(lesson for lesson in LESSONS if lesson.id == "vanishing-gradients")
    assert "torch.optim.Adam(" in lesson.source and "Adam" in lesson.explanation
    assert "hardly learns" not in lesson.explanation

    def run(source: str) -> tuple[float, float, float]:
        torch.manual_seed(PROGRAM_SEED)
        names: dict[str, Any] = {}
        exec(compile(source.replace("print(loss.item())", ""), "<lesson>", "exec"),  # noqa: S102
             names)
        model = names["model"]
        first = model[0].weight
        start = names["start"]
        return (float(first.grad.norm()), float(model[20].weight.grad.norm()),
                float((first.detach() - start).norm()))

    keep = "opt = torch.optim"
    tracked = lesson.source.replace(keep, "start = model[0].weight.detach().clone()\n" + keep)
    first, last, moved = run(tracked)
    assert first < 1e-6 * last
    assert moved > 1e-2
    sgd = tracked.replace("torch.optim.Adam(", "torch.optim.SGD(")
    assert run(sgd)[2] < 1e-6
