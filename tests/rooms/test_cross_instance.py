"""Rooms across instances: a real redis-server on loopback, two app instances
(`python -m chainrule serve`) with CHAINRULE_REDIS_URL pointing at it, and the compose
file's nginx configuration in front of both. A teacher on one instance steps; students
on the other, straight or through nginx, receive each state; answers sent to either
instance are counted together."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import pytest

from tests.rooms.redis_server import redis_server
from tests.rooms.sse import SseEvent, read_events
from tests.server import HOST, LiveServer, serve
from tests.test_nginx import nginx_in_front_of

READ_GUARD_S = 30.0  # a failure guard on every socket read, never a measured time
SOURCE = "import torch\nw = torch.tensor(2.0, requires_grad=True)\n(w * w).backward()\n"


@dataclass(frozen=True)
class Stack:
    redis_url: str
    apps: list[LiveServer]
    nginx_port: int


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with ExitStack() as exits:
        url = exits.enter_context(redis_server(tmp_path_factory.mktemp("redis")))
        apps = [exits.enter_context(serve(tmp_path_factory.mktemp(f"app{i}"), env={
            "CHAINRULE_WORKERS": "1", "CHAINRULE_REDIS_URL": url})) for i in range(2)]
        port = exits.enter_context(nginx_in_front_of(tmp_path_factory.mktemp("nginx"), apps))
        yield Stack(url, apps, port)


def call(port: int, method: str, path: str, body: Any = None,
         secret: str | None = None) -> tuple[int, Any]:
    """One JSON request on a new connection: the status and the parsed body (or None)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=READ_GUARD_S)
    headers = {"content-type": "application/json"} if body is not None else {}
    if secret is not None:
        headers["authorization"] = f"Bearer {secret}"
    try:
        connection.request(method, path, body=None if body is None else json.dumps(body),
                           headers=headers)
        response = connection.getresponse()
        raw = response.read()
        return response.status, json.loads(raw) if raw else None
    finally:
        connection.close()


class Follower:
    """A student's event stream, read as a browser's EventSource reads it."""

    def __init__(self, port: int, path: str) -> None:
        self.connection = http.client.HTTPConnection(HOST, port, timeout=READ_GUARD_S)
        self.connection.request("GET", path, headers={"accept": "text/event-stream"})
        self.response = self.connection.getresponse()
        assert self.response.status == 200, self.response.read()
        lines = (raw.decode().rstrip("\r\n") for raw in iter(self.response.readline, b""))
        self.events: Iterator[SseEvent] = read_events(lines)

    def next_state(self) -> dict[str, Any]:
        event = next(self.events)
        assert event.event == "state", event
        state: dict[str, Any] = event.json()
        assert event.id == str(state["seq"])
        return state

    def close(self) -> None:
        self.connection.close()


def new_room(port: int) -> tuple[str, str]:
    status, created = call(port, "POST", "/api/v2/rooms")
    assert status == 201, created
    return created["code"], created["teacher_secret"]


def step(step: int, question: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"source": SOURCE, "step": step, "mode": "forward", "question": question}


def test_students_on_the_other_instance_follow_each_step_of_the_teacher(stack: Stack) -> None:
    teacher_app, student_app = stack.apps
    code, secret = new_room(teacher_app.port)
    # Through nginx the code is written with a dash (as a person might type it), so each
    # instance's request log tells which of its event streams came through nginx.
    proxied_path = f"/api/v2/rooms/{code[:5]}-{code[5:]}/events"
    followers = [Follower(student_app.port, f"/api/v2/rooms/{code}/events"),
                 Follower(stack.nginx_port, proxied_path),
                 Follower(stack.nginx_port, proxied_path)]
    try:
        assert [f.next_state() for f in followers] == [
            {"code": code, "seq": 0, "state": None}] * 3
        published = []
        for position in (1, 2, 3):
            status, out = call(teacher_app.port, "PUT", f"/api/v2/rooms/{code}/state",
                               step(position), secret)
            assert status == 200, out
            published.append(out["seq"])
            received = [f.next_state() for f in followers]
            assert [(r["seq"], r["state"]["step"], r["state"]["source"]) for r in received] \
                == [(out["seq"], position, SOURCE)] * 3
        assert published == [1, 2, 3]
    finally:
        for follower in followers:
            follower.close()
    # nginx sent one of the two proxied streams to each instance (its round robin).
    served = [app.wait_for_record(lambda r: r.get("path") == proxied_path)["status"]
              for app in stack.apps]
    assert served == [200, 200]


def test_answers_sent_to_either_instance_are_counted_together(stack: Stack) -> None:
    first, second = stack.apps
    code, secret = new_room(second.port)
    question = {"id": "p1", "prompt": "dL/dw?", "kind": "number"}
    assert call(first.port, "PUT", f"/api/v2/rooms/{code}/state", step(5, question),
                secret)[0] == 200
    answered = []
    for port, value in ((first.port, 4.0), (second.port, 4.01), (stack.nginx_port, -4.0),
                        (stack.nginx_port, 4.0)):
        status, token = call(port, "POST", f"/api/v2/rooms/{code}/students")
        assert status == 201
        answered.append(call(port, "POST", f"/api/v2/rooms/{code}/answers",
                             {"student": token["student"], "question": "p1",
                              "value": value})[0])
    # The same student again, on the other instance: still one answer.
    status, token = call(first.port, "POST", f"/api/v2/rooms/{code}/students")
    assert call(first.port, "POST", f"/api/v2/rooms/{code}/answers",
                {"student": token["student"], "question": "p1", "value": 1.0})[0] == 204
    again = call(second.port, "POST", f"/api/v2/rooms/{code}/answers",
                 {"student": token["student"], "question": "p1", "value": 1.0})
    counts = [call(app.port, "GET", f"/api/v2/rooms/{code}/answers?expected=4", secret=secret)
              for app in stack.apps]
    assert answered == [204] * 4
    assert again == (409, {"error": {"code": "answer_refused", "line": None, "col": None,
                                     "message": "this student has answered this question "
                                                "already"}})
    assert [(status, body["count"], body["right"], body["wrong"]) for status, body in counts] \
        == [(200, 5, 3, 2)] * 2


def test_a_forged_secret_is_refused_on_every_instance(stack: Stack) -> None:
    code, secret = new_room(stack.apps[0].port)
    forged = secret[:-3] + ("AAA" if not secret.endswith("AAA") else "BBB")
    statuses = [call(port, "PUT", f"/api/v2/rooms/{code}/state", step(1), forged)[0]
                for port in (stack.apps[0].port, stack.apps[1].port, stack.nginx_port)]
    assert statuses == [403, 403, 403]
