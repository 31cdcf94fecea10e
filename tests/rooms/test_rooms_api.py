"""The rooms API through the app (in-process, with a clock moved by hand): create,
publish, follow as server-sent events, answers and their counts, and every refusal:
a forged secret, an oversized state, a flood of answers, guessed codes, an expired room."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from fastapi.testclient import TestClient

from chainrule.api.rooms import classroom
from chainrule.api.schemas import RoomAnswersOut, RoomCreatedOut, RoomStateOut
from chainrule.app import create_app
from chainrule.rooms.store import MemoryRooms
from chainrule.settings import MAX_SOURCE_CHARS, ServerSettings
from tests.rooms.clock import FakeClock
from tests.rooms.sse import read_events

TTL_S = 3600.0
UNUSED_TTL_S = 600.0
SETTINGS = ServerSettings(workers=1, rate_localhost=True, room_ttl_s=TTL_S,
                          room_unused_ttl_s=UNUSED_TTL_S, room_creates_per_hour=3,
                          room_answers_per_minute=4, room_misses_per_minute=3,
                          room_max_listeners=2)
SOURCE = "import torch\nw = torch.tensor(2.0, requires_grad=True)\n(w * w).backward()\n"
QUESTION = {"id": "p1", "prompt": "What is dL/dw?", "kind": "number"}


@pytest.fixture(scope="module")
def app_client() -> Iterator[TestClient]:
    with TestClient(create_app(SETTINGS)) as client:
        yield client


@pytest.fixture
def client(app_client: TestClient) -> Iterator[TestClient]:
    """The app with fresh rooms, rate limits and a clock of their own for each test."""
    clock = FakeClock()
    app_client.app.state.classroom = classroom(  # type: ignore[attr-defined]
        SETTINGS, MemoryRooms(clock), clock)
    app_client.clock = clock  # type: ignore[attr-defined]
    yield app_client


def create(client: TestClient) -> RoomCreatedOut:
    response = client.post("/api/v2/rooms")
    assert response.status_code == 201
    return RoomCreatedOut.model_validate(response.json())


def flipped(secret: str) -> str:
    """The secret with its last character changed: a forgery one character off."""
    return secret[:-1] + ("B" if secret.endswith("A") else "A")


def auth(room: RoomCreatedOut) -> dict[str, str]:
    return {"authorization": f"Bearer {room.teacher_secret}"}


def state(step: int, question: dict[str, Any] | None = None, revealed: bool = False
          ) -> dict[str, Any]:
    return {"source": SOURCE, "lesson": "chain-rule", "step": step, "mode": "forward",
            "question": question, "revealed": revealed}


def publish(client: TestClient, room: RoomCreatedOut, body: dict[str, Any]) -> int:
    response = client.put(f"/api/v2/rooms/{room.code}/state", json=body, headers=auth(room))
    assert response.status_code == 200, response.text
    seq: int = response.json()["seq"]
    return seq


def error(response: Any) -> tuple[int, str, str]:
    detail = response.json()["error"]
    return response.status_code, detail["code"], detail["message"]


def student(client: TestClient, room: RoomCreatedOut) -> str:
    response = client.post(f"/api/v2/rooms/{room.code}/students")
    assert response.status_code == 201
    token: str = response.json()["student"]
    return token


def test_a_new_room_has_a_code_a_secret_and_the_students_path(client: TestClient) -> None:
    room = create(client)
    assert len(room.code) == 10
    assert room.path == f"/r/{room.code}"
    assert room.expires_in_s == UNUSED_TTL_S  # until the first state; TTL_S after each
    assert len(room.teacher_secret) == 43
    current = client.get(f"/api/v2/rooms/{room.code}")
    assert current.json() == {"code": room.code, "seq": 0, "state": None}


def test_students_follow_every_state_in_order_over_server_sent_events(
        client: TestClient) -> None:
    room = create(client)
    publish(client, room, state(0))
    with client.stream("GET", f"/api/v2/rooms/{room.code}/events") as stream:
        assert stream.status_code == 200
        assert stream.headers["content-type"] == "text/event-stream; charset=utf-8"
        assert stream.headers["cache-control"] == "no-store"
        assert stream.headers["x-accel-buffering"] == "no"
        events = read_events(stream.iter_lines())
        first = next(events)
        seqs = [publish(client, room, state(step)) for step in (1, 2, 3)]
        received = [next(events) for _ in seqs]
    assert (first.event, first.id, first.json()["state"]["step"]) == ("state", "1", 0)
    assert seqs == [2, 3, 4]
    assert [(e.event, e.id) for e in received] == [("state", "2"), ("state", "3"),
                                                   ("state", "4")]
    for event, step in zip(received, (1, 2, 3), strict=True):
        out = RoomStateOut.model_validate(event.json())
        assert (out.code, out.seq, out.state and out.state.step) == (room.code, step + 1, step)
        assert out.state is not None and out.state.source == SOURCE


def test_a_reconnecting_student_gets_the_current_state_first(client: TestClient) -> None:
    room = create(client)
    for step in range(3):
        publish(client, room, state(step))
    with client.stream("GET", f"/api/v2/rooms/{room.code}/events",
                       headers={"last-event-id": "1"}) as stream:
        first = next(read_events(stream.iter_lines()))
    assert (first.event, first.id, first.json()["state"]["step"]) == ("state", "3", 2)


def test_the_end_of_a_class_ends_the_students_streams(client: TestClient) -> None:
    room = create(client)
    with client.stream("GET", f"/api/v2/rooms/{room.code}/events") as stream:
        events = read_events(stream.iter_lines())
        first = next(events)
        assert client.delete(f"/api/v2/rooms/{room.code}", headers=auth(room)).status_code == 204
        ended = list(events)  # the stream ends after its `end` event
    assert (first.event, first.json()) == ("state", {"code": room.code, "seq": 0,
                                                     "state": None})
    assert [(e.event, e.json()) for e in ended] == [("end", {"code": room.code})]
    assert error(client.get(f"/api/v2/rooms/{room.code}"))[:2] == (404, "room_not_found")


def test_a_forged_or_missing_secret_cannot_drive_the_room(client: TestClient) -> None:
    room = create(client)
    other = create(client)
    url = f"/api/v2/rooms/{room.code}/state"
    refused = [
        client.put(url, json=state(1), headers={"authorization": f"Bearer {forged}"})
        for forged in (flipped(room.teacher_secret), other.teacher_secret, "")
    ] + [client.put(url, json=state(1)),
         client.put(url, json=state(1), headers={"authorization": room.teacher_secret}),
         client.get(f"/api/v2/rooms/{room.code}/answers", headers=auth(other)),
         client.delete(f"/api/v2/rooms/{room.code}", headers=auth(other))]
    message = ("only the room's teacher may do this: send its secret as "
               "Authorization: Bearer <secret>")
    assert [error(r) for r in refused] == [(403, "forbidden", message)] * 7
    assert client.get(f"/api/v2/rooms/{room.code}").json()["seq"] == 0  # nothing published


def test_an_oversized_state_is_refused_before_it_is_stored(client: TestClient) -> None:
    room = create(client)
    url = f"/api/v2/rooms/{room.code}/state"
    too_large = client.put(url, content=json.dumps(state(1) | {"source": "#" * 70_000}),
                           headers=auth(room) | {"content-type": "application/json"})
    too_long = client.put(url, json=state(1) | {"source": "#" * (MAX_SOURCE_CHARS + 1)},
                          headers=auth(room))
    with_answer = client.put(url, json=state(1, QUESTION | {"answer": "-0.56"}),
                             headers=auth(room))
    assert error(too_large) == (413, "body_too_large",
                                "the request body is larger than 65536 bytes")
    assert error(too_long) == (422, "invalid_request",
                               "source: String should have at most 20000 characters")
    assert error(with_answer) == (422, "invalid_request",
                                  "question.answer: Extra inputs are not permitted")
    assert client.get(f"/api/v2/rooms/{room.code}").json()["seq"] == 0


def test_answers_are_counted_once_per_student_for_the_teacher_only(
        client: TestClient) -> None:
    room = create(client)
    publish(client, room, state(4, QUESTION))
    url = f"/api/v2/rooms/{room.code}/answers"
    students = [student(client, room) for _ in range(3)]
    statuses = [client.post(url, json={"student": s, "question": "p1", "value": v}).status_code
                for s, v in zip(students, (-0.56, 4.0, -0.5601), strict=True)]
    again = client.post(url, json={"student": students[0], "question": "p1", "value": 1.0})
    counted = client.get(url, params={"expected": -0.56}, headers=auth(room))
    assert statuses == [204, 204, 204]
    assert error(again) == (409, "answer_refused",
                            "this student has answered this question already")
    out = RoomAnswersOut.model_validate(counted.json())
    assert (out.question, out.kind, out.count, out.right, out.wrong) == ("p1", "number", 3, 2, 1)
    assert [b.count for b in out.bins] == [2, 0, 0, 0, 0, 0, 0, 0, 0, 1]
    assert "student" not in counted.text
    assert error(client.get(url))[:2] == (403, "forbidden")  # students can't read them


def test_answers_stop_when_the_teacher_reveals(client: TestClient) -> None:
    room = create(client)
    choice = {"id": "c1", "prompt": "Which way?", "kind": "choice", "options": ["up", "down"]}
    publish(client, room, state(2, choice))
    url = f"/api/v2/rooms/{room.code}/answers"
    first = client.post(url, json={"student": student(client, room), "question": "c1",
                                   "value": "down"})
    publish(client, room, state(2, choice, revealed=True))
    late = client.post(url, json={"student": student(client, room), "question": "c1",
                                  "value": "up"})
    counted = client.get(url, params={"expected_option": "down"}, headers=auth(room)).json()
    assert first.status_code == 204
    assert error(late) == (409, "answer_refused", "this question is not open for answers")
    assert counted == {"question": "c1", "kind": "choice", "count": 1, "bins": [],
                       "choices": [{"option": "up", "count": 0},
                                   {"option": "down", "count": 1}],
                       "right": 1, "wrong": 0}


def test_a_flood_of_answers_from_one_address_is_refused(client: TestClient) -> None:
    room = create(client)
    publish(client, room, state(4, QUESTION))
    url = f"/api/v2/rooms/{room.code}/answers"
    tokens = [student(client, room) for _ in range(6)]
    replies = [client.post(url, json={"student": t, "question": "p1", "value": 1.0})
               for t in tokens]
    assert [r.status_code for r in replies] == [204] * 4 + [429] * 2  # a bucket of 4
    assert error(replies[4]) == (429, "rate_limited",
                                 "too many answers from this address; try again later")
    assert replies[4].headers["retry-after"] == "15"  # a token every 60/4 s
    client.clock.advance(15)  # type: ignore[attr-defined]
    last = client.post(url, json={"student": tokens[5], "question": "p1", "value": 1.0})
    assert last.status_code == 204


def test_guessing_codes_is_refused_for_a_while_even_for_a_live_room(
        client: TestClient) -> None:
    room = create(client)
    guesses = [client.get(f"/api/v2/rooms/{code}").status_code
               for code in ("0000000000", "0000000001", "0000000002", "0000000003")]
    live = client.get(f"/api/v2/rooms/{room.code}")
    assert guesses == [404, 404, 404, 429]  # a bucket of 3 misses
    assert error(live)[:2] == (429, "rate_limited")  # a right guess now learns nothing
    client.clock.advance(20)  # type: ignore[attr-defined]
    assert client.get(f"/api/v2/rooms/{room.code}").status_code == 200


def test_a_room_expires_after_the_ttl_without_a_new_state(client: TestClient) -> None:
    room = create(client)
    client.clock.advance(UNUSED_TTL_S - 1)  # type: ignore[attr-defined]
    publish(client, room, state(1))
    client.clock.advance(TTL_S - 1)  # type: ignore[attr-defined]
    alive = client.get(f"/api/v2/rooms/{room.code}").status_code
    client.clock.advance(1)  # type: ignore[attr-defined]
    gone = [client.get(f"/api/v2/rooms/{room.code}"),
            client.put(f"/api/v2/rooms/{room.code}/state", json=state(2), headers=auth(room)),
            client.get(f"/api/v2/rooms/{room.code}/events")]
    assert alive == 200
    message = "no room has this code (it may have expired)"
    assert [error(r) for r in gone] == [(404, "room_not_found", message)] * 3


def test_a_full_room_refuses_one_more_stream_with_retry_after(client: TestClient) -> None:
    room = create(client)
    url = f"/api/v2/rooms/{room.code}/events"
    with client.stream("GET", url) as one, client.stream("GET", url) as two:
        streams = [read_events(s.iter_lines()) for s in (one, two)]  # kept: open
        assert [next(events).event for events in streams] == ["state"] * 2
        with client.stream("GET", url) as third:
            assert third.status_code == 503  # (a 200 would stream on: checked first)
            refused = (json.loads(third.read())["error"]["message"],
                       third.headers["retry-after"])
    assert refused == ("this room has its maximum of event streams open here", "5")




def test_a_choice_question_needs_two_options_and_a_number_none(client: TestClient) -> None:
    room = create(client)
    url = f"/api/v2/rooms/{room.code}/state"
    one_option = {"id": "c", "prompt": "?", "kind": "choice", "options": ["up", "up"]}
    with_options = QUESTION | {"options": ["1", "2"]}
    replies = [client.put(url, json=state(1, q), headers=auth(room))
               for q in (one_option, with_options)]
    assert [error(r) for r in replies] == [
        (422, "invalid_request",
         "question: Value error, a choice question needs two or more different options"),
        (422, "invalid_request", "question: Value error, a number question has no options")]


def test_the_counts_are_empty_while_no_question_was_asked(client: TestClient) -> None:
    room = create(client)
    publish(client, room, state(0))
    counted = client.get(f"/api/v2/rooms/{room.code}/answers", headers=auth(room)).json()
    assert counted == {"question": None, "kind": None, "count": 0, "bins": [], "choices": [],
                       "right": None, "wrong": None}


def test_a_wrong_method_names_every_method_of_the_path(client: TestClient) -> None:
    room = create(client)
    replies = [client.request("PATCH", f"/api/v2/rooms/{room.code}/answers"),
               client.request("POST", f"/api/v2/rooms/{room.code}")]
    assert [(r.status_code, r.headers["allow"]) for r in replies] == [
        (405, "GET, POST"), (405, "DELETE, GET")]


def test_a_student_token_that_cannot_be_one_is_refused_by_its_schema(
        client: TestClient) -> None:
    room = create(client)
    publish(client, room, state(1, QUESTION))
    for token in ("abc.\u00e9", "abc", "a.b.c", "a b.c"):
        response = client.post(f"/api/v2/rooms/{room.code}/answers",
                               json={"student": token, "question": "p1", "value": 1.0})
        assert error(response)[:2] == (422, "invalid_request"), token


def test_answers_a_subnormal_apart_are_counted_in_a_histogram(client: TestClient) -> None:
    room = create(client)
    publish(client, room, state(1, QUESTION))
    for value in (0.0, 5e-324):
        response = client.post(f"/api/v2/rooms/{room.code}/answers", json={
            "student": student(client, room), "question": "p1", "value": value})
        assert response.status_code == 204
    counted = client.get(f"/api/v2/rooms/{room.code}/answers", headers=auth(room))
    assert counted.status_code == 200
    assert [(b["low"], b["high"], b["count"]) for b in counted.json()["bins"]][::9] == [
        (0.0, 0.0, 1), (5e-324, 5e-324, 1)]


def from_address(client: TestClient, address: str) -> TestClient:
    """The same app, its requests from another client address."""
    return TestClient(client.app, client=(address, 50000))


def test_one_address_creates_only_so_many_rooms_an_hour(client: TestClient) -> None:
    made = [client.post("/api/v2/rooms").status_code for _ in range(4)]
    refused = client.post("/api/v2/rooms")
    elsewhere = from_address(client, "203.0.113.7").post("/api/v2/rooms").status_code
    client.clock.advance(1200)  # type: ignore[attr-defined]
    again = client.post("/api/v2/rooms").status_code
    assert made == [201, 201, 201, 429]  # a bucket of 3 an hour
    assert error(refused) == (429, "rate_limited",
                              "too many new rooms from this address; try again later")
    assert refused.headers["retry-after"] == "1200"  # a room every 3600/3 s
    assert (elsewhere, again) == (201, 201)


def test_a_room_never_published_gives_its_place_back_after_the_short_ttl(
        client: TestClient) -> None:
    room = create(client)
    client.clock.advance(UNUSED_TTL_S - 1)  # type: ignore[attr-defined]
    alive = client.get(f"/api/v2/rooms/{room.code}").status_code
    client.clock.advance(1)  # type: ignore[attr-defined]
    gone = client.get(f"/api/v2/rooms/{room.code}")
    assert alive == 200
    assert error(gone)[:2] == (404, "room_not_found")


def miss(client: TestClient, times: int) -> list[int]:
    return [client.get(f"/api/v2/rooms/000000000{i}").status_code for i in range(times)]


def test_a_blocked_address_still_lets_the_rooms_teacher_and_students_through(
        client: TestClient) -> None:
    room, other = create(client), create(client)
    publish(client, room, state(1, QUESTION))
    publish(client, other, state(1, QUESTION))
    token, strangers_token = student(client, room), student(client, other)
    assert miss(client, 4) == [404, 404, 404, 429]  # the address is blocked now
    answers = f"/api/v2/rooms/{room.code}/answers"
    replies = {
        "teacher steps": client.put(f"/api/v2/rooms/{room.code}/state", json=state(2,
                                    QUESTION), headers=auth(room)),
        "teacher counts": client.get(answers, headers=auth(room)),
        "student answers": client.post(answers, json={"student": token, "question": "p1",
                                                      "value": 2.0}),
        "forged secret": client.put(f"/api/v2/rooms/{room.code}/state", json=state(3),
                                    headers={"authorization": "Bearer "
                                             + flipped(room.teacher_secret)}),
        "another room's token": client.post(answers, json={
            "student": strangers_token, "question": "p1", "value": 2.0}),
        "secret of another room": client.get(answers, headers=auth(other)),
        "no key": client.get(f"/api/v2/rooms/{room.code}"),
        "new student": client.post(f"/api/v2/rooms/{room.code}/students"),
    }
    assert {what: r.status_code for what, r in replies.items()} == {
        "teacher steps": 200, "teacher counts": 200, "student answers": 204,
        "forged secret": 429, "another room's token": 429, "secret of another room": 429,
        "no key": 429, "new student": 429}
    assert replies["teacher counts"].json()["count"] == 0  # read before the answer
    assert client.get(answers, headers=auth(room)).json()["count"] == 1


def test_misses_from_all_addresses_together_are_capped_per_process(
        app_client: TestClient) -> None:
    clock = FakeClock()
    app_client.app.state.classroom = classroom(  # type: ignore[attr-defined]
        replace(SETTINGS, room_misses_per_minute_total=4), MemoryRooms(clock), clock)
    room = create(app_client)
    first, second, third = (from_address(app_client, f"198.51.100.{i}") for i in (1, 2, 3))
    guesses = miss(first, 2) + miss(second, 2)  # 2 each: under each address's 3
    refused = third.get(f"/api/v2/rooms/{room.code}")
    teacher = third.get(f"/api/v2/rooms/{room.code}/answers", headers=auth(room))
    clock.advance(15)  # a miss back every 60/4 s
    later = third.get(f"/api/v2/rooms/{room.code}")
    assert guesses == [404] * 4
    assert (error(refused)[:2], teacher.status_code, later.status_code) == (
        (429, "rate_limited"), 200, 200)


def test_an_idle_stream_keeps_alive_catches_up_and_ends_with_the_room(
        app_client: TestClient) -> None:
    clock = FakeClock()
    store = MemoryRooms(clock)
    app_client.app.state.classroom = classroom(  # type: ignore[attr-defined]
        replace(SETTINGS, room_heartbeat_s=0.01), store, clock)
    room = create(app_client)
    with app_client.stream("GET", f"/api/v2/rooms/{room.code}/events") as stream:
        lines = stream.iter_lines()
        head = [next(lines) for _ in range(6)]  # retry, then the first state event
        comment = next(lines)  # nothing published: the idle stream's keep-alive
        # The next state never reaches the stream (as a Redis subscription that lost a
        # message): the stream finds it when it looks again at its next idle moment.
        store.attach(lambda code, seq, body: None)
        seq = publish(app_client, room, state(7))
        events = read_events(lines)
        caught_up = next(events)
        clock.advance(TTL_S)  # expired, and its end delivered to nobody: found the same way
        ended = list(events)
    assert head[:2] == ["retry: 2000", ""]
    assert head[2:5] == ["id: 0", "event: state",
                         f'data: {{"code":"{room.code}","seq":0,"state":null}}']
    assert comment == ": keep-alive"
    assert (caught_up.event, caught_up.id, caught_up.json()["state"]["step"]) == (
        "state", str(seq), 7)
    assert [(e.event, e.json()) for e in ended] == [("end", {"code": room.code})]
