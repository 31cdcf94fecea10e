"""Where rooms live: the interface both stores keep, and `MemoryRooms`, the one-process
store (the default). `redis_store.RedisRooms` keeps the same interface in Redis, for
replicas behind a load balancer.

A store holds each room's record, its current state (the teacher's last published state,
as the JSON bytes the API validated, with the server's `seq`), the question that state
has open, and the answers. It tells `deliver` of every new state (and of a room's end);
the hub (hub.py) fans that out to the process's listeners.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Protocol

from chainrule.rooms.tally import Question, Tally

# code, seq, the state's bytes as events carry them; None: the room ended.
Deliver = Callable[[str, int, bytes | None], None]


@dataclass(frozen=True)
class Room:
    """A room as stored: its code, the hash of the teacher's secret, the key that signs
    its students' tokens."""

    code: str
    secret_hash: str
    key: str


@dataclass(frozen=True)
class Current:
    """A room's current state: `seq` 0 and no body before the teacher's first publish."""

    seq: int
    body: bytes | None
    question: Question | None
    open: bool  # the question takes answers (it is not revealed yet)


class Answered(Enum):
    """What became of an answer."""

    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"  # this student answered this question already
    CLOSED = "closed"  # the question is no longer open
    FULL = "full"  # the question has ROOM_MAX_ANSWERS answers


class RoomsFull(Exception):
    """The store holds its maximum of live rooms."""


class RoomStore(Protocol):
    """What the room logic needs of a store (MemoryRooms, RedisRooms)."""

    def attach(self, deliver: Deliver) -> None: ...
    async def add(self, room: Room, ttl_s: float, max_rooms: int) -> bool: ...
    async def get(self, code: str) -> Room | None: ...
    async def current(self, code: str) -> Current | None: ...
    async def publish(self, code: str, body: bytes, question: Question | None, open_: bool,
                      ttl_s: float) -> int | None: ...
    async def answer(self, code: str, question: Question, student: str, value: float | str,
                     max_answers: int, ttl_s: float) -> Answered | None: ...
    async def tally(self, code: str, question: Question) -> Tally: ...
    async def remove(self, code: str) -> bool: ...
    async def watch(self, code: str) -> None: ...
    async def unwatch(self, code: str) -> None: ...
    async def close(self) -> None: ...


@dataclass
class _Answers:
    students: set[str] = field(default_factory=set)
    values: list[float] = field(default_factory=list)
    choices: dict[str, int] = field(default_factory=dict)


@dataclass
class _Live:
    room: Room
    expires_at: float
    seq: int = 0
    body: bytes | None = None
    question: Question | None = None
    open: bool = False
    answers: dict[str, _Answers] = field(default_factory=dict)  # by question id


ROOM_QUESTIONS_KEPT = 32  # a room's questions whose answers are kept, newest last


class MemoryRooms:
    """Rooms in this process's memory: for one instance. Expiry reads `clock`."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._rooms: dict[str, _Live] = {}
        self._deliver: Deliver = lambda code, seq, body: None

    def attach(self, deliver: Deliver) -> None:
        self._deliver = deliver

    def _live(self, code: str) -> _Live | None:
        live = self._rooms.get(code)
        if live is not None and self._clock() >= live.expires_at:
            del self._rooms[code]
            self._deliver(code, live.seq, None)
            return None
        return live

    def _sweep(self) -> None:
        for code in [c for c, live in self._rooms.items() if self._clock() >= live.expires_at]:
            self._live(code)

    async def add(self, room: Room, ttl_s: float, max_rooms: int) -> bool:
        self._sweep()
        if room.code in self._rooms:
            return False
        if len(self._rooms) >= max_rooms:
            raise RoomsFull
        self._rooms[room.code] = _Live(room, self._clock() + ttl_s)
        return True

    async def get(self, code: str) -> Room | None:
        live = self._live(code)
        return live.room if live else None

    async def current(self, code: str) -> Current | None:
        live = self._live(code)
        return None if live is None else Current(live.seq, live.body, live.question, live.open)

    async def publish(self, code: str, body: bytes, question: Question | None, open_: bool,
                      ttl_s: float) -> int | None:
        live = self._live(code)
        if live is None:
            return None
        live.seq += 1
        live.body, live.question, live.open = body, question, open_
        live.expires_at = self._clock() + ttl_s
        self._deliver(code, live.seq, body)
        return live.seq

    async def answer(self, code: str, question: Question, student: str, value: float | str,
                     max_answers: int, ttl_s: float) -> Answered | None:
        live = self._live(code)
        if live is None:
            return None
        if not live.open or live.question != question:
            return Answered.CLOSED
        answers = live.answers.setdefault(question.id, _Answers())
        while len(live.answers) > ROOM_QUESTIONS_KEPT:
            live.answers.pop(next(iter(live.answers)))
        if student in answers.students:
            return Answered.DUPLICATE
        if len(answers.students) >= max_answers:
            return Answered.FULL
        answers.students.add(student)
        if isinstance(value, str):
            answers.choices[value] = answers.choices.get(value, 0) + 1
        else:
            answers.values.append(value)
        return Answered.ACCEPTED

    async def tally(self, code: str, question: Question) -> Tally:
        live = self._live(code)
        answers = live.answers.get(question.id) if live else None
        if answers is None:
            return Tally()
        return Tally(tuple(answers.values), tuple(answers.choices.items()))

    async def remove(self, code: str) -> bool:
        live = self._rooms.pop(code, None)
        if live is None:
            return False
        self._deliver(code, live.seq, None)
        return True

    async def watch(self, code: str) -> None:
        """Nothing to do: publish() delivers in this process."""

    async def unwatch(self, code: str) -> None:
        """Nothing to do."""

    async def close(self) -> None:
        self._rooms.clear()
