"""RedisRooms against a real redis-server: the same room logic as in memory (seq, one
answer per student, answers only while open, counts, the end), states delivered through
pub/sub, and keys that expire."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterator
from typing import Any, TypeVar

import pytest
import redis

from chainrule.errors import AnswerRefused, RoomBusy, RoomNotFound
from chainrule.rooms.hub import Event, Hub
from chainrule.rooms.redis_store import RedisRooms
from chainrule.rooms.service import Rooms
from chainrule.rooms.store import ROOM_QUESTIONS_KEPT, Current
from chainrule.rooms.tally import Distribution, Question
from tests.rooms.aio import run_coroutine
from tests.rooms.redis_server import redis_server
from tests.server import HOST, free_port

T = TypeVar("T")
TTL_S = 600.0
NUMBER = Question("q1", "number")


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


def run(url: str, test: Callable[[Rooms, Hub], Coroutine[Any, Any, T]]) -> T:
    async def main() -> T:
        store = RedisRooms(url)
        try:
            return await test(Rooms(store, TTL_S, 100, 3), Hub(store, 10, 10))
        finally:
            await store.close()
    return run_coroutine(main())


def test_states_published_reach_a_listener_through_pub_sub_in_order(redis_url: str) -> None:
    async def test(rooms: Rooms, hub: Hub) -> tuple[list[Event], Current | None]:
        room = await rooms.find((await rooms.create()).code)
        listener = await hub.join(room.code)
        seqs = [await rooms.publish(room, b'{"step":%d}' % i, None, False) for i in range(3)]
        assert seqs == [1, 2, 3]
        received = [await listener.queue.get() for _ in seqs]
        await rooms.end(room)
        received.append(await listener.queue.get())
        await hub.leave(listener)
        return received, await rooms.store.current(room.code)

    received, after = run(redis_url, test)
    assert received == [Event(1, b'{"step":0}'), Event(2, b'{"step":1}'),
                        Event(3, b'{"step":2}'), Event(0, None)]
    assert after is None  # the room is gone


def test_answers_once_per_student_while_open_counted_across_clients(redis_url: str) -> None:
    async def test(rooms: Rooms, _: Hub
                   ) -> tuple[list[str], tuple[Question | None, Distribution | None]]:
        room = await rooms.find((await rooms.create()).code)
        await rooms.publish(room, b"{}", NUMBER, True)
        students = [Rooms.student(room) for _ in range(5)]
        outcomes = []
        for student, value in zip([students[0], *students], [1.0, 1.0, 2.0, 2.5, 2.0, 9.0],
                                  strict=True):
            try:
                await rooms.answer(room, student, "q1", value)
                outcomes.append("accepted")
            except AnswerRefused as exc:
                outcomes.append(exc.message)
        await rooms.publish(room, b"{}", NUMBER, False)  # revealed
        try:
            await rooms.answer(room, students[4], "q1", 3.0)
        except AnswerRefused as exc:
            outcomes.append(exc.message)
        return outcomes, await rooms.distribution(room, 2.0, None, 0.01)

    outcomes, (question, counted) = run(redis_url, test)
    assert outcomes == ["accepted", "this student has answered this question already",
                        "accepted", "accepted", "this question has its maximum of answers",
                        "this question has its maximum of answers",
                        "this question is not open for answers"]
    assert question == NUMBER and counted is not None
    assert (counted.count, counted.right, counted.wrong) == (3, 1, 2)
    assert [b.count for b in counted.bins] == [1, 0, 0, 0, 0, 0, 1, 0, 0, 1]  # 1, 2, 2.5


def test_a_room_and_its_answers_expire_in_redis(redis_url: str) -> None:
    async def test(rooms: Rooms, _: Hub) -> str:
        room = await rooms.find((await rooms.create()).code)
        await rooms.publish(room, b"{}", NUMBER, True)
        await rooms.answer(room, Rooms.student(room), "q1", 1.0)
        return room.code

    code = run(redis_url, test)
    client = redis.Redis.from_url(redis_url)
    keys = sorted(k.decode() for k in client.keys(f"chainrule:room:{code}*"))  # type: ignore[union-attr]
    ttls = [client.pttl(key) for key in keys]
    client.close()
    assert keys == [f"chainrule:room:{code}", f"chainrule:room:{code}:q:q1:values",
                    f"chainrule:room:{code}:q:q1:who", f"chainrule:room:{code}:questions"]
    assert all(0 < ttl <= TTL_S * 1000 for ttl in ttls), ttls


def test_a_room_keeps_the_answers_of_its_last_32_questions_as_in_memory(
        redis_url: str) -> None:
    async def test(rooms: Rooms, _: Hub) -> tuple[str, list[int]]:
        room = await rooms.find((await rooms.create()).code)
        for i in range(ROOM_QUESTIONS_KEPT + 2):
            question = Question(f"q{i}", "number")
            await rooms.publish(room, b"{}", question, True)
            await rooms.answer(room, Rooms.student(room), question.id, float(i))
        counts = [(await rooms.store.tally(room.code, Question(f"q{i}", "number"))).count
                  for i in range(ROOM_QUESTIONS_KEPT + 2)]
        return room.code, counts

    code, counts = run(redis_url, test)
    client = redis.Redis.from_url(redis_url)
    answered = len(client.keys(f"chainrule:room:{code}:q:*:who"))  # type: ignore[arg-type]
    client.close()
    assert counts == [0, 0] + [1] * ROOM_QUESTIONS_KEPT  # the two oldest forgotten
    assert answered == ROOM_QUESTIONS_KEPT


def test_an_unknown_code_is_not_found(redis_url: str) -> None:
    async def test(rooms: Rooms, _: Hub) -> str:
        try:
            await rooms.find("0000000000")
        except RoomNotFound as exc:
            return exc.code
        return "found"

    assert run(redis_url, test) == "room_not_found"




def test_redis_not_answering_makes_a_request_room_busy() -> None:
    async def test() -> tuple[str, str]:
        store = RedisRooms(f"redis://{HOST}:{free_port()}/0")  # nothing listens there
        try:
            with pytest.raises(RoomBusy) as caught:
                await Rooms(store, TTL_S, 100, 3).create()
        finally:
            await store.close()
        return caught.value.code, caught.value.message

    assert run_coroutine(test()) == ("room_busy",
                                   "the rooms' store is not answering; try again shortly")


def test_a_class_joining_at_once_waits_for_connections_rather_than_failing(
        redis_url: str) -> None:
    """More requests at once than the pool has connections (64): they queue for one."""
    async def test(rooms: Rooms, _: Hub) -> list[int | None]:
        room = await rooms.find((await rooms.create()).code)
        await rooms.publish(room, b"{}", None, False)
        found = await asyncio.gather(*(rooms.store.current(room.code) for _ in range(300)))
        return [current.seq if current else None for current in found]

    assert run(redis_url, test) == [1] * 300
