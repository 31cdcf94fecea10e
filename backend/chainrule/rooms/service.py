"""The room logic, whatever the store: create a room, check the teacher's secret, publish
the teacher's state, take a student's answer once, count the answers for the teacher.

The state itself is the API's business (api/schemas.py validates it and hands it here as
JSON bytes, with the question it has open): this module keeps it, numbers it and passes
it on, never reads it.
"""

from __future__ import annotations

from dataclasses import dataclass

from chainrule.errors import AnswerRefused, NotTheTeacher, RoomBusy, RoomNotFound
from chainrule.rooms.codes import (
    hash_secret,
    new_code,
    new_key,
    new_secret,
    new_student,
    read_code,
    secret_matches,
    student_id,
)
from chainrule.rooms.store import Answered, Current, Room, RoomsFull, RoomStore
from chainrule.rooms.tally import Distribution, Question, distribution

_CODE_TRIES = 8  # fresh codes tried when one is taken (at 50 bits, one try all but always)

_REFUSALS = {
    Answered.DUPLICATE: "this student has answered this question already",
    Answered.CLOSED: "this question is not open for answers",
    Answered.FULL: "this question has its maximum of answers",
}


@dataclass(frozen=True)
class Created:
    """A new room: its code and the teacher's secret (shown once, never stored)."""

    code: str
    secret: str
    expires_in_s: float


class Rooms:
    """Rooms kept in `store`; each expires `ttl_s` after the teacher's last publish, or
    `unused_ttl_s` (`ttl_s` unless told) after its creation while nothing is published, so
    rooms created and never used give their places back soon."""

    def __init__(self, store: RoomStore, ttl_s: float, max_rooms: int,
                 max_answers: int, unused_ttl_s: float | None = None) -> None:
        self.store = store
        self.ttl_s = ttl_s
        self.unused_ttl_s = ttl_s if unused_ttl_s is None else min(unused_ttl_s, ttl_s)
        self.max_rooms = max_rooms
        self.max_answers = max_answers

    async def create(self) -> Created:
        secret = new_secret()
        try:
            for _ in range(_CODE_TRIES):
                code = new_code()
                if await self.store.add(Room(code, hash_secret(secret), new_key()),
                                        self.unused_ttl_s, self.max_rooms):
                    return Created(code, secret, self.unused_ttl_s)
        except RoomsFull:
            raise RoomBusy("the server holds its maximum of rooms; try again later") from None
        raise RoomBusy("no free room code was found; try again")

    async def find(self, code_text: str) -> Room:
        """The live room a (typed) code names; RoomNotFound when there is none."""
        code = read_code(code_text)
        room = await self.store.get(code) if code else None
        if room is None:
            raise RoomNotFound("no room has this code (it may have expired)")
        return room

    @staticmethod
    def teacher(room: Room, secret: str | None) -> Room:
        """The room, when `secret` is its teacher's; NotTheTeacher otherwise."""
        if not Rooms.is_teacher(room, secret):
            raise NotTheTeacher("only the room's teacher may do this: send its secret as "
                                "Authorization: Bearer <secret>")
        return room

    @staticmethod
    def is_teacher(room: Room, secret: str | None) -> bool:
        return secret is not None and secret_matches(secret, room.secret_hash)

    @staticmethod
    def is_student(room: Room, token: str) -> bool:
        """Whether this room issued `token`."""
        return student_id(token, room.key, room.code) is not None

    async def publish(self, room: Room, body: bytes, question: Question | None,
                      open_: bool) -> int:
        """Store `body` as the room's state and send it to every listener: its seq."""
        seq = await self.store.publish(room.code, body, question, open_, self.ttl_s)
        if seq is None:
            raise RoomNotFound("no room has this code (it may have expired)")
        return seq

    async def current(self, room: Room) -> Current:
        current = await self.store.current(room.code)
        if current is None:
            raise RoomNotFound("no room has this code (it may have expired)")
        return current

    @staticmethod
    def student(room: Room) -> str:
        """A new anonymous student token for the room."""
        return new_student(room.key, room.code)

    async def answer(self, room: Room, token: str, question_id: str,
                     value: float | str) -> None:
        """Count a student's answer to the open question, once; AnswerRefused otherwise."""
        student = student_id(token, room.key, room.code)
        if student is None:
            raise AnswerRefused("this student token was not issued by this room")
        current = await self.current(room)
        question = current.question
        if question is None or not current.open or question.id != question_id:
            raise AnswerRefused(_REFUSALS[Answered.CLOSED])
        refusal = question.refusal(value)
        if refusal is not None:
            raise AnswerRefused(refusal)
        answered = await self.store.answer(room.code, question, student, value,
                                           self.max_answers, self.ttl_s)
        if answered is None:
            raise RoomNotFound("no room has this code (it may have expired)")
        if answered is not Answered.ACCEPTED:
            raise AnswerRefused(_REFUSALS[answered])

    async def distribution(self, room: Room, expected: float | None,
                           expected_option: str | None, tolerance: float
                           ) -> tuple[Question | None, Distribution | None]:
        """The answers to the state's question (open or revealed), counted."""
        question = (await self.current(room)).question
        if question is None:
            return None, None
        tally = await self.store.tally(room.code, question)
        return question, distribution(question, tally, expected, expected_option, tolerance)

    async def end(self, room: Room) -> None:
        """Close the room now: its listeners are told, its code is free."""
        await self.store.remove(room.code)
