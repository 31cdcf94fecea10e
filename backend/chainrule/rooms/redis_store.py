"""`RedisRooms`: the store's interface kept in Redis, so that any replica serves any
request of any room (no sticky sessions).

    chainrule:room:{code}                   hash: secret (sha256), key, seq, body, question,
                                            open; expires (PEXPIRE) ROOM_TTL after the last
                                            state published
    chainrule:room:{code}:q:{id}:who        set: the student ids that answered question id
    chainrule:room:{code}:q:{id}:values     list: a number question's answers
    chainrule:room:{code}:q:{id}:choices    hash: a choice question's count per option
    chainrule:room:{code}:questions         list: the question ids answered, oldest first;
                                            past ROOM_QUESTIONS_KEPT the oldest one's three
                                            keys are deleted (as MemoryRooms keeps them)
    chainrule:rooms                         sorted set: live codes by expiry time (the count
                                            CHAINRULE_ROOM_MAX_ROOMS bounds)
    channel chainrule:room:{code}:events    "<seq> <state JSON>" per publish, "end" at the end

Each change is one Lua script, so concurrent requests on several replicas never interleave
inside one. Each process subscribes once per room it has listeners for (hub.py) and fans
the channel's messages out itself. Redis not answering makes a request 503 room_busy,
which its client retries.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import Callable, Coroutine
from typing import Any, ParamSpec, TypeVar

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from chainrule.errors import RoomBusy
from chainrule.rooms.store import (
    ROOM_QUESTIONS_KEPT,
    Answered,
    Current,
    Deliver,
    Room,
    RoomsFull,
)
from chainrule.rooms.tally import Question, Tally
from chainrule.settings import (
    REDIS_CONNECTIONS,
    REDIS_HEALTH_CHECK_S,
    REDIS_SOCKET_TIMEOUT_S,
    REDIS_WAIT_S,
)

log = logging.getLogger("chainrule.rooms")
PREFIX = "chainrule:room:"
ROOMS = "chainrule:rooms"
_CHANNEL_SUFFIX = ":events"
_READ_TIMEOUT_S = 1.0  # the subscriber's wait for a message before it looks again
_CONFIRM_TIMEOUT_S = 5.0  # a subscription Redis has not confirmed by then has failed
_RETRY_S = 0.5  # after a lost connection, before the subscriber tries again

_ADD = """
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[5])
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[6]) then return -1 end
redis.call('HSET', KEYS[1], 'secret', ARGV[2], 'key', ARGV[3], 'seq', 0, 'open', '0',
           'question', '')
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('ZADD', KEYS[2], tonumber(ARGV[5]) + tonumber(ARGV[4]) / 1000, ARGV[1])
return 1
"""

_PUBLISH = """
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
redis.call('HSET', KEYS[1], 'body', ARGV[1], 'question', ARGV[2], 'open', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('ZADD', KEYS[2], tonumber(ARGV[5]) + tonumber(ARGV[4]) / 1000, ARGV[6])
redis.call('PUBLISH', ARGV[7], seq .. ' ' .. ARGV[1])
return seq
"""

_ANSWER = """
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
if redis.call('HGET', KEYS[1], 'open') ~= '1'
        or redis.call('HGET', KEYS[1], 'question') ~= ARGV[1] then return 2 end
if redis.call('SISMEMBER', KEYS[2], ARGV[2]) == 1 then return 3 end
if redis.call('SCARD', KEYS[2]) >= tonumber(ARGV[5]) then return 4 end
redis.call('SADD', KEYS[2], ARGV[2])
if redis.call('SCARD', KEYS[2]) == 1 then  -- the question's first answer: keep its id
    redis.call('RPUSH', KEYS[5], ARGV[7])
    while redis.call('LLEN', KEYS[5]) > tonumber(ARGV[9]) do
        local old = ARGV[8] .. redis.call('LPOP', KEYS[5]) .. ':'
        redis.call('DEL', old .. 'who', old .. 'values', old .. 'choices')
    end
end
if ARGV[3] == 'number' then
    redis.call('RPUSH', KEYS[3], ARGV[4])
else
    redis.call('HINCRBY', KEYS[4], ARGV[4], 1)
end
for i = 2, 5 do redis.call('PEXPIRE', KEYS[i], ARGV[6]) end
return 1
"""

P = ParamSpec("P")
R = TypeVar("R")


def _answering(method: Callable[P, Coroutine[Any, Any, R]]
               ) -> Callable[P, Coroutine[Any, Any, R]]:
    """Redis not answering (down, restarting, unreachable) is 503 room_busy for the
    request, with Retry-After, not a server error."""
    @functools.wraps(method)
    async def call(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await method(*args, **kwargs)
        except (RedisError, TimeoutError) as exc:
            log.warning("rooms' Redis: %s", exc)
            raise RoomBusy("the rooms' store is not answering; try again shortly") from None
    return call


_ANSWERED = {1: Answered.ACCEPTED, 2: Answered.CLOSED, 3: Answered.DUPLICATE,
             4: Answered.FULL}


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _raw(value: bytes | str) -> bytes:
    return value.encode() if isinstance(value, str) else value


def _room_key(code: str) -> str:
    return PREFIX + code


def _channel(code: str) -> str:
    return PREFIX + code + _CHANNEL_SUFFIX


def _questions_key(code: str) -> str:
    return PREFIX + code + ":questions"


def _question_keys(code: str, question_id: str) -> list[str]:
    base = f"{PREFIX}{code}:q:{question_id}:"
    return [base + "who", base + "values", base + "choices"]


class RedisRooms:
    """Rooms in Redis at `url`. `clock` gives Unix time (the sorted set's scores)."""

    def __init__(self, url: str, clock: Callable[[], float] = time.time) -> None:
        # A bounded pool whose requests wait for a free connection (redis-py's default
        # refuses the 101st at once: a class joining together would be refused).
        self._redis = aioredis.Redis(connection_pool=aioredis.BlockingConnectionPool.from_url(
            url, max_connections=REDIS_CONNECTIONS, timeout=REDIS_WAIT_S,
            # A Redis that stops answering fails a request in seconds (503), never hangs it;
            # the subscription pings it when quiet, so a dead one is noticed.
            socket_timeout=REDIS_SOCKET_TIMEOUT_S, socket_connect_timeout=REDIS_SOCKET_TIMEOUT_S,
            health_check_interval=REDIS_HEALTH_CHECK_S))
        self._clock = clock
        self._add = self._redis.register_script(_ADD)
        self._publish = self._redis.register_script(_PUBLISH)
        self._answer = self._redis.register_script(_ANSWER)
        self._pubsub = self._redis.pubsub()
        self._reader: asyncio.Task[None] | None = None
        self._confirmed: dict[str, asyncio.Event] = {}
        self._deliver: Deliver = lambda code, seq, body: None

    def attach(self, deliver: Deliver) -> None:
        self._deliver = deliver

    @_answering
    async def add(self, room: Room, ttl_s: float, max_rooms: int) -> bool:
        added = await self._add(
            keys=[_room_key(room.code), ROOMS],
            args=[room.code, room.secret_hash, room.key, int(ttl_s * 1000), self._clock(),
                  max_rooms])
        if added == -1:
            raise RoomsFull
        return bool(added == 1)

    @_answering
    async def get(self, code: str) -> Room | None:
        secret, key = await self._redis.hmget(_room_key(code), ["secret", "key"])
        if secret is None or key is None:
            return None
        return Room(code, _text(secret), _text(key))

    @_answering
    async def current(self, code: str) -> Current | None:
        seq, body, question, open_ = await self._redis.hmget(
            _room_key(code), ["seq", "body", "question", "open"])
        if seq is None:
            return None
        return Current(int(seq), _raw(body) if body else None,
                       Question.from_json(_text(question)) if question else None,
                       open_ == b"1")

    @_answering
    async def publish(self, code: str, body: bytes, question: Question | None, open_: bool,
                      ttl_s: float) -> int | None:
        seq = await self._publish(
            keys=[_room_key(code), ROOMS],
            args=[body, question.to_json() if question else "", "1" if open_ else "0",
                  int(ttl_s * 1000), self._clock(), code, _channel(code)])
        return None if seq == -1 else int(seq)

    @_answering
    async def answer(self, code: str, question: Question, student: str, value: float | str,
                     max_answers: int, ttl_s: float) -> Answered | None:
        result = await self._answer(
            keys=[_room_key(code), *_question_keys(code, question.id), _questions_key(code)],
            args=[question.to_json(), student, question.kind,
                  value if isinstance(value, str) else repr(float(value)), max_answers,
                  int(ttl_s * 1000), question.id, f"{PREFIX}{code}:q:",
                  ROOM_QUESTIONS_KEPT])
        return None if result == -1 else _ANSWERED[int(result)]

    @_answering
    async def tally(self, code: str, question: Question) -> Tally:
        _, values_key, choices_key = _question_keys(code, question.id)
        values = await self._redis.lrange(values_key, 0, -1)
        choices = await self._redis.hgetall(choices_key)
        return Tally(tuple(float(v) for v in values),
                     tuple((_text(k), int(n)) for k, n in choices.items()))

    @_answering
    async def remove(self, code: str) -> bool:
        removed = await self._redis.delete(_room_key(code))
        await self._redis.zrem(ROOMS, code)
        await self._redis.publish(_channel(code), b"end")
        return bool(removed)

    @_answering
    async def watch(self, code: str) -> None:
        """Subscribe to the room's channel; returns once Redis has confirmed it, so that
        every state published after is received."""
        confirmed = self._confirmed[code] = asyncio.Event()
        await self._pubsub.subscribe(_channel(code))
        if self._reader is None or self._reader.done():
            self._reader = asyncio.create_task(self._read(), name="chainrule-rooms-redis")
        await asyncio.wait_for(confirmed.wait(), _CONFIRM_TIMEOUT_S)

    async def unwatch(self, code: str) -> None:
        """Unsubscribe; a Redis gone away has forgotten the subscription already."""
        try:
            await self._pubsub.unsubscribe(_channel(code))
        except (RedisError, TimeoutError) as exc:
            log.warning("rooms' Redis, unsubscribing: %s", exc)

    async def _read(self) -> None:
        """The subscriber: every message of a watched room to `deliver`."""
        while True:
            try:
                message = await self._pubsub.get_message(timeout=_READ_TIMEOUT_S)
            except RedisError as exc:  # lost: redis-py reconnects and subscribes again
                log.warning("room events from Redis: %s", exc)
                await asyncio.sleep(_RETRY_S)
                continue
            if message is not None:
                self._received(message)

    def _received(self, message: dict[str, object]) -> None:
        channel = message.get("channel")
        if not isinstance(channel, bytes):
            return
        code = channel.decode()[len(PREFIX):-len(_CHANNEL_SUFFIX)]
        if message["type"] == "subscribe":
            confirmed = self._confirmed.pop(code, None)
            if confirmed is not None:
                confirmed.set()
        elif message["type"] == "message" and isinstance(message["data"], bytes):
            data: bytes = message["data"]
            if data == b"end":
                self._deliver(code, 0, None)
            else:
                seq, _, body = data.partition(b" ")
                self._deliver(code, int(seq), body)

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        await self._pubsub.aclose()
        await self._redis.aclose()
