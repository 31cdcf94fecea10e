"""The room logic over the in-memory store, with a clock moved by hand: expiry, seq, one
answer per student, answers only while a question is open, the hub's fan-out and limits."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import pytest

from chainrule.errors import AnswerRefused, NotTheTeacher, RoomBusy, RoomNotFound
from chainrule.rooms.hub import Event, Hub, ListenersFull
from chainrule.rooms.service import Rooms
from chainrule.rooms.store import MemoryRooms, Room
from chainrule.rooms.tally import Distribution, Question
from tests.rooms.aio import run_coroutine
from tests.rooms.clock import FakeClock

T = TypeVar("T")
TTL_S = 600.0
NUMBER = Question("q1", "number")
CHOICE = Question("q2", "choice", ("up", "down"))


def run(test: Callable[[Rooms, FakeClock], Coroutine[Any, Any, T]], max_rooms: int = 10,
        max_answers: int = 100) -> T:
    clock = FakeClock()
    rooms = Rooms(MemoryRooms(clock), TTL_S, max_rooms, max_answers)
    return run_coroutine(test(rooms, clock))


def test_a_new_room_is_found_by_its_code_typed_in_lower_case() -> None:
    async def test(rooms: Rooms, _clock: FakeClock) -> tuple[str, str]:
        created = await rooms.create()
        room = await rooms.find(created.code.lower())
        return room.code, created.code

    found, made = run(test)
    assert found == made


def test_only_the_secret_given_at_creation_drives_the_room() -> None:
    async def test(rooms: Rooms, _clock: FakeClock) -> list[str]:
        created = await rooms.create()
        room = await rooms.find(created.code)
        outcomes = []
        forged = created.secret[:-1] + ("B" if created.secret.endswith("A") else "A")
        for secret in (created.secret, forged, None, ""):
            try:
                Rooms.teacher(room, secret)
                outcomes.append("teacher")
            except NotTheTeacher as exc:
                outcomes.append(exc.code)
        return outcomes

    assert run(test) == ["teacher", "forbidden", "forbidden", "forbidden"]


def test_states_are_numbered_from_one_and_the_last_is_current() -> None:
    async def test(rooms: Rooms, _clock: FakeClock) -> tuple[list[int], int, bytes | None, int]:
        room = await rooms.find((await rooms.create()).code)
        before = (await rooms.current(room)).seq
        seqs = [await rooms.publish(room, b'{"step":%d}' % i, None, False) for i in range(3)]
        now = await rooms.current(room)
        return seqs, now.seq, now.body, before

    assert run(test) == ([1, 2, 3], 3, b'{"step":2}', 0)


def test_a_room_expires_ttl_after_the_last_state_and_each_state_renews_it() -> None:
    async def test(rooms: Rooms, clock: FakeClock) -> list[str]:
        created = await rooms.create()
        room = await rooms.find(created.code)
        clock.advance(TTL_S - 1)
        await rooms.publish(room, b"{}", None, False)  # renews: TTL_S from now
        clock.advance(TTL_S - 1)
        seen = ["alive" if await rooms.find(created.code) else "gone"]
        clock.advance(1)
        try:
            await rooms.find(created.code)
            seen.append("alive")
        except RoomNotFound as exc:
            seen.append(exc.code)
        return seen

    assert run(test) == ["alive", "room_not_found"]


def test_an_expired_room_frees_its_place_for_a_new_one() -> None:
    async def test(rooms: Rooms, clock: FakeClock) -> list[str]:
        await rooms.create()
        outcomes = []
        try:
            await rooms.create()
        except RoomBusy as exc:
            outcomes.append(exc.code)
        clock.advance(TTL_S)
        outcomes.append(len((await rooms.create()).code) * "x")
        return outcomes

    assert run(test, max_rooms=1) == ["room_busy", "x" * 10]


async def _open_room(rooms: Rooms, question: Question | None, open_: bool = True
                     ) -> tuple[Room, str, str]:
    created = await rooms.create()
    room = await rooms.find(created.code)
    await rooms.publish(room, b"{}", question, open_)
    return room, Rooms.student(room), Rooms.student(room)


def _refusal(error: AnswerRefused) -> str:
    return error.message


def test_one_answer_per_student_per_question() -> None:
    async def test(rooms: Rooms, _clock: FakeClock) -> tuple[list[str], int]:
        room, alice, bob = await _open_room(rooms, NUMBER)
        outcomes = []
        for student, value in ((alice, 1.0), (alice, 2.0), (bob, 3.0)):
            try:
                await rooms.answer(room, student, "q1", value)
                outcomes.append("accepted")
            except AnswerRefused as exc:
                outcomes.append(_refusal(exc))
        _, counted = await rooms.distribution(room, None, None, 0.01)
        assert counted is not None
        return outcomes, counted.count

    assert run(test) == (["accepted", "this student has answered this question already",
                          "accepted"], 2)


def test_answers_are_refused_unless_that_question_is_open() -> None:
    async def test(rooms: Rooms, _clock: FakeClock) -> list[str]:
        outcomes = []
        for question, open_, asked, value in (
                (None, False, "q1", 1.0),  # no question
                (NUMBER, False, "q1", 1.0),  # revealed
                (NUMBER, True, "q9", 1.0),  # another question
                (NUMBER, True, "q1", "up"),  # a choice for a number
                (CHOICE, True, "q2", "left"),  # not an option
        ):
            room, student, _ = await _open_room(rooms, question, open_)
            try:
                await rooms.answer(room, student, asked, value)
                outcomes.append("accepted")
            except AnswerRefused as exc:
                outcomes.append(_refusal(exc))
        return outcomes

    closed = "this question is not open for answers"
    assert run(test, max_rooms=10) == [closed, closed, closed,
                                       "this question asks for a number",
                                       "this question asks for one of its options"]


def test_a_forged_student_token_is_refused() -> None:
    async def test(rooms: Rooms, _clock: FakeClock) -> str:
        room, student, _ = await _open_room(rooms, NUMBER)
        ident, _, mac = student.partition(".")
        try:
            await rooms.answer(room, f"{ident}Z.{mac}", "q1", 1.0)
        except AnswerRefused as exc:
            return exc.message
        return "accepted"

    assert run(test) == "this student token was not issued by this room"


def test_a_question_takes_at_most_max_answers() -> None:
    async def test(rooms: Rooms, _clock: FakeClock) -> list[str]:
        room, alice, bob = await _open_room(rooms, CHOICE)
        outcomes = []
        for student in (alice, bob):
            try:
                await rooms.answer(room, student, "q2", "up")
                outcomes.append("accepted")
            except AnswerRefused as exc:
                outcomes.append(exc.message)
        return outcomes

    assert run(test, max_answers=1) == ["accepted", "this question has its maximum of answers"]


def test_the_distribution_counts_choices_and_right_answers_without_names() -> None:
    async def test(rooms: Rooms, _clock: FakeClock) -> tuple[Question | None, Distribution | None]:
        room, alice, bob = await _open_room(rooms, CHOICE)
        carol = Rooms.student(room)
        for student, value in ((alice, "down"), (bob, "down"), (carol, "up")):
            await rooms.answer(room, student, "q2", value)
        # Revealed: no more answers, the counts stay readable.
        await rooms.publish(room, b"{}", CHOICE, False)
        return await rooms.distribution(room, None, "down", 0.01)

    question, counted = run(test)
    assert question == CHOICE and counted is not None
    assert (counted.count, counted.choices, counted.right, counted.wrong) == (
        3, (("up", 1), ("down", 2)), 2, 1)


def test_listeners_receive_every_state_in_order_and_the_rooms_end() -> None:
    async def test(rooms: Rooms, _clock: FakeClock) -> list[Event]:
        hub = Hub(rooms.store, max_per_room=5, max_total=5)
        created = await rooms.create()
        room = await rooms.find(created.code)
        listener = await hub.join(room.code)
        for i in range(3):
            await rooms.publish(room, b"%d" % i, None, False)
        await rooms.end(room)
        events = [listener.queue.get_nowait() for _ in range(4)]
        await hub.leave(listener)
        assert hub.listeners == 0
        return events

    assert run(test) == [Event(1, b"0"), Event(2, b"1"), Event(3, b"2"), Event(3, None)]


def test_the_hub_refuses_listeners_past_its_limits() -> None:
    async def test(rooms: Rooms, _clock: FakeClock) -> list[str]:
        hub = Hub(rooms.store, max_per_room=1, max_total=2)
        codes = [(await rooms.create()).code for _ in range(3)]
        refused = []
        first = await hub.join(codes[0])
        with pytest.raises(ListenersFull) as caught:
            await hub.join(codes[0])
        refused.append(str(caught.value))
        await hub.join(codes[1])
        with pytest.raises(ListenersFull) as caught:
            await hub.join(codes[2])
        refused.append(str(caught.value))
        await hub.leave(first)
        await hub.leave(await hub.join(codes[2]))  # a place came free
        return refused

    assert run(test) == ["this room has its maximum of event streams open here",
                         "this server has its maximum of event streams open"]


def test_a_listener_that_falls_behind_is_marked_behind() -> None:
    async def test(rooms: Rooms, _clock: FakeClock) -> tuple[bool, int]:
        hub = Hub(rooms.store, max_per_room=5, max_total=5)
        room = await rooms.find((await rooms.create()).code)
        listener = await hub.join(room.code)
        for _ in range(33):  # ROOM_QUEUE_EVENTS + 1
            await rooms.publish(room, b"{}", None, False)
        return listener.behind, listener.queue.qsize()

    assert run(test) == (True, 32)
