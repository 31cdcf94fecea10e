"""Classroom rooms over HTTP: create, publish the teacher's state, follow it as server-sent
events, answer the open question, count the answers (docs/api.md, "Classroom rooms").

Routes only translate: the room logic is rooms/service.py, the stores rooms/store.py and
rooms/redis_store.py, the fan-out to this process's streams rooms/hub.py.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from contextlib import aclosing
from dataclasses import dataclass
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Header, Path, Query, Request
from fastapi.responses import Response, StreamingResponse

from chainrule.api.admission import RateLimited, RateLimiter
from chainrule.api.schemas import (
    ErrorOutV2,
    RoomAnswerRequest,
    RoomAnswersOut,
    RoomBinOut,
    RoomChoiceOut,
    RoomCreatedOut,
    RoomPublishedOut,
    RoomStateOut,
    RoomStateRequest,
    RoomStudentOut,
)
from chainrule.errors import RoomBusy, RoomNotFound
from chainrule.rooms.hub import Event, Hub, Listener, ListenersFull
from chainrule.rooms.service import Rooms
from chainrule.rooms.store import MemoryRooms, Room, RoomStore
from chainrule.rooms.tally import Question
from chainrule.settings import ROOM_MAX_ANSWERS, ServerSettings

log = logging.getLogger("chainrule.rooms")
router = APIRouter(prefix="/api/v2/rooms", tags=["rooms"])

CODE_PATH = Path(min_length=1, max_length=20, pattern=r"^[A-Za-z0-9-]+$",
                 description="The room's code (case and dashes ignored; O read as 0, I and L "
                 "as 1).")
Code = Annotated[str, CODE_PATH]
Authorization = Annotated[str | None, Header(description="Bearer <teacher_secret>")]
SSE_HEADERS = {"cache-control": "no-store", "x-accel-buffering": "no"}
_RETRY_MS = 2000  # the browser's EventSource reconnects this long after a stream ends


@dataclass
class Classroom:
    """What the room routes use, made once per app (app.state.classroom)."""

    rooms: Rooms
    hub: Hub
    answers: RateLimiter  # answers per address
    misses: RateLimiter  # unknown codes per address
    all_misses: RateLimiter  # unknown codes from all addresses together (one bucket)
    creates: RateLimiter  # new rooms per address (per hour)
    heartbeat_s: float


def classroom(settings: ServerSettings, store: RoomStore | None = None,
              clock: Callable[[], float] = time.monotonic) -> Classroom:
    """The rooms of an app: in memory, in Redis when settings.redis_url is set, or in the
    `store` given (tests pass one with their own clock)."""
    if store is None:
        if settings.redis_url:
            from chainrule.rooms.redis_store import RedisRooms

            store = RedisRooms(settings.redis_url)
        else:
            store = MemoryRooms(clock)
    return Classroom(
        Rooms(store, settings.room_ttl_s, settings.room_max_rooms, ROOM_MAX_ANSWERS,
              settings.room_unused_ttl_s),
        Hub(store, settings.room_max_listeners, settings.max_listeners),
        RateLimiter(settings.room_answers_per_minute, settings.rate_localhost, clock),
        RateLimiter(settings.room_misses_per_minute, settings.rate_localhost, clock),
        RateLimiter(settings.room_misses_per_minute_total, True, clock),
        RateLimiter(settings.room_creates_per_hour, settings.rate_localhost, clock,
                    window_s=3600.0),
        settings.room_heartbeat_s)


def _classroom(request: Request) -> Classroom:
    found: Classroom = request.app.state.classroom
    return found


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _limit(limiter: RateLimiter, request: Request, what: str) -> None:
    wait = limiter.check(_client(request))
    if wait is not None:
        raise RateLimited(f"too many {what} from this address; try again later",
                          int(wait))


_ALL = "*"  # the one bucket of all_misses


async def _room(request: Request, code: str,
                holds: Callable[[Room], bool] | None = None) -> Room:
    """The room `code` names. An address that sends too many unknown codes is refused for
    a while, known ones included (so its guesses learn nothing), and so is everyone once
    the process has had too many from all addresses together; except a request that
    `holds` a key of the room (its teacher's secret, a student token it issued): that
    proves the room known already, so a class behind one NAT address is not locked out by
    one mistyping student. A wrong key is refused the same (429) as an unknown code."""
    place = _classroom(request)
    client = _client(request)
    wait = place.misses.blocked(client) or place.all_misses.blocked(_ALL)
    if wait is not None:
        if holds is not None:
            with contextlib.suppress(RoomNotFound):
                room = await place.rooms.find(code)
                if holds(room):
                    return room
        raise RateLimited("too many unknown room codes from this address; try again later",
                          int(wait))
    try:
        return await place.rooms.find(code)
    except RoomNotFound:
        place.misses.check(client)
        place.all_misses.check(_ALL)
        raise


async def _teacher(request: Request, code: str, authorization: str | None) -> Room:
    scheme, _, secret = (authorization or "").partition(" ")
    given = secret.strip() if scheme.lower() == "bearer" else None
    room = await _room(request, code, lambda room: Rooms.is_teacher(room, given))
    return Rooms.teacher(room, given)


def _responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    said = {
        403: "forbidden: the teacher's secret is missing or wrong.",
        404: "room_not_found: no live room has this code (it may have expired).",
        409: "answer_refused: no question is open, it is another, this student answered "
             "it already, or the value does not fit it.",
        413: "body_too_large: the body passed the size limit.",
        415: "unsupported_media_type: the body was not JSON.",
        422: "invalid_request or malformed_json: the body does not fit its schema.",
        429: "rate_limited: too many requests, answers, new rooms or unknown codes from this "
             "address (or unknown codes from all); "
             "the Retry-After header says when to try again.",
        503: "room_busy: the server holds its maximum of rooms or event streams, or the "
             "rooms' Redis is not answering; try again after the Retry-After header's "
             "seconds.",
    }
    return {status: {"model": ErrorOutV2, "description": said[status]} for status in statuses}


def _state_json(code: str, seq: int, body: bytes | None) -> bytes:
    """A RoomStateOut's JSON, around the state's bytes as stored (validated when
    published, never parsed again)."""
    return b'{"code":"%s","seq":%d,"state":%s}' % (code.encode(), seq, body or b"null")


@router.post("", status_code=201, response_model=RoomCreatedOut,
             responses=_responses(429, 503), summary="Start a class: a new room")
async def create(request: Request) -> RoomCreatedOut:
    place = _classroom(request)
    _limit(place.creates, request, "new rooms")
    created = await place.rooms.create()
    return RoomCreatedOut(code=created.code, teacher_secret=created.secret,
                          expires_in_s=created.expires_in_s, path=f"/r/{created.code}")


@router.get("/{code}", response_model=RoomStateOut, responses=_responses(404, 422, 429),
            summary="A room's current state")
async def current(code: Code, request: Request) -> Response:
    room = await _room(request, code)
    now = await _classroom(request).rooms.current(room)
    return Response(_state_json(room.code, now.seq, now.body), media_type="application/json",
                    headers={"cache-control": "no-store"})


@router.put("/{code}/state", response_model=RoomPublishedOut,
            responses=_responses(403, 404, 413, 415, 422, 429),
            summary="The teacher publishes what their page shows")
async def publish(code: Code, body: RoomStateRequest, request: Request,
                  authorization: Authorization = None) -> RoomPublishedOut:
    place = _classroom(request)
    room = await _teacher(request, code, authorization)
    asked = body.question
    question = Question(asked.id, asked.kind, tuple(asked.options)) if asked else None
    seq = await place.rooms.publish(room, body.model_dump_json().encode(), question,
                                    question is not None and not body.revealed)
    return RoomPublishedOut(seq=seq)


@router.delete("/{code}", status_code=204, response_class=Response,
               responses=_responses(403, 404, 422, 429), summary="The teacher ends the class")
async def end(code: Code, request: Request, authorization: Authorization = None) -> Response:
    room = await _teacher(request, code, authorization)
    await _classroom(request).rooms.end(room)
    return Response(status_code=204)


@router.post("/{code}/students", status_code=201, response_model=RoomStudentOut,
             responses=_responses(404, 422, 429), summary="An anonymous student token")
async def student(code: Code, request: Request) -> RoomStudentOut:
    room = await _room(request, code)
    return RoomStudentOut(student=Rooms.student(room))


@router.post("/{code}/answers", status_code=204, response_class=Response,
             responses=_responses(404, 409, 413, 415, 422, 429),
             summary="A student answers the open question")
async def answer(code: Code, body: RoomAnswerRequest, request: Request) -> Response:
    place = _classroom(request)
    _limit(place.answers, request, "answers")
    room = await _room(request, code, lambda room: Rooms.is_student(room, body.student))
    await place.rooms.answer(room, body.student, body.question, body.value)
    return Response(status_code=204)


@router.get("/{code}/answers", response_model=RoomAnswersOut,
            responses=_responses(403, 404, 422, 429),
            summary="The teacher reads the answers to the question, counted")
async def answers(
    code: Code, request: Request, authorization: Authorization = None,
    expected: Annotated[float | None, Query(
        description="A number question's right value (the page's traced number).")] = None,
    expected_option: Annotated[str | None, Query(
        max_length=500, description="A choice question's right option.")] = None,
    tolerance: Annotated[float, Query(
        ge=0, le=1, description="Relative tolerance for `expected`; 0 asks for the sign "
        "only.")] = 0.01,
) -> RoomAnswersOut:
    room = await _teacher(request, code, authorization)
    question, counted = await _classroom(request).rooms.distribution(
        room, expected, expected_option, tolerance)
    if question is None or counted is None:
        return RoomAnswersOut(question=None, kind=None, count=0, bins=[], choices=[],
                              right=None, wrong=None)
    return RoomAnswersOut(
        question=question.id, kind=question.kind, count=counted.count,
        bins=[RoomBinOut(low=b.low, high=b.high, count=b.count) for b in counted.bins],
        choices=[RoomChoiceOut(option=o, count=n) for o, n in counted.choices],
        right=counted.right, wrong=counted.wrong)


def _sse(event: str, data: bytes, seq: int | None = None) -> bytes:
    head = b"id: %d\n" % seq if seq is not None else b""
    return head + b"event: " + event.encode() + b"\ndata: " + data + b"\n\n"


async def _follow(place: Classroom, room: Room, listener: Listener
                  ) -> AsyncGenerator[bytes, None]:
    """A joined listener's events: the current state, each new one, `end` when the room
    ends, a keep-alive comment when idle. RoomBusy when the store stops answering."""
    first = await place.rooms.store.current(room.code)
    if first is None:
        yield _sse("end", b'{"code":"%s"}' % room.code.encode())
        return
    yield _sse("state", _state_json(room.code, first.seq, first.body), first.seq)
    sent = first.seq
    while not listener.behind:
        event: Event | None = None
        with anyio.move_on_after(place.heartbeat_s):
            event = await listener.queue.get()
        if event is None:  # idle: keep proxies from closing, and look again
            now = await place.rooms.store.current(room.code)
            if now is None:
                event = Event(sent, None)
            elif now.seq > sent:
                event = Event(now.seq, now.body)
            else:
                yield b": keep-alive\n\n"
                continue
        if event.body is None:
            yield _sse("end", b'{"code":"%s"}' % room.code.encode())
            return
        if event.seq > sent:
            yield _sse("state", _state_json(room.code, event.seq, event.body), event.seq)
            sent = event.seq


@router.get(
    "/{code}/events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {"schema": {"type": "string"}}},
                     "description": "Server-sent events: `state` (a RoomStateOut, its `id` "
                     "the seq) first with the current state, then at every new one; `end` "
                     "when the room ends; a comment line when idle."},
               **_responses(404, 422, 429, 503)},
    summary="Follow the teacher: the room's states as server-sent events",
)
async def events(code: Code, request: Request) -> StreamingResponse:
    place = _classroom(request)
    room = await _room(request, code)
    try:
        place.hub.check(room.code)
    except ListenersFull as exc:
        raise RoomBusy(str(exc)) from None

    async def stream() -> AsyncIterator[bytes]:
        yield b"retry: %d\n\n" % _RETRY_MS  # first: a stream that ends at once is reopened
        try:
            # Joined before the current state is read: no state published between is missed.
            listener = await place.hub.join(room.code)
        except (RoomBusy, ListenersFull) as exc:
            log.warning("room %s: event stream not opened: %s", room.code, exc)
            return
        try:
            async with aclosing(_follow(place, room, listener)) as chunks:
                async for chunk in chunks:
                    yield chunk
        except RoomBusy as exc:  # the store stopped answering: end cleanly, the page retries
            log.warning("room %s: event stream ended: %s", room.code, exc)
        finally:
            await place.hub.leave(listener)

    # Never ends by itself: the server closes it at once when it shuts down (protocol.py).
    request.state.event_stream = True
    return StreamingResponse(stream(), media_type="text/event-stream", headers=SSE_HEADERS)
