"""The process's listeners (students' event streams), by room: each new state the store
delivers goes to every listener of its room here. The store is watched for a room while
this process has at least one listener of it (with Redis: one subscription per room per
process, however many students)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import anyio

from chainrule.rooms.store import RoomStore
from chainrule.settings import ROOM_QUEUE_EVENTS


class ListenersFull(Exception):
    """The room, or this process, has its maximum of listeners; the message says which."""


@dataclass(frozen=True)
class Event:
    """A new state (`body`, the room's state as JSON), or the room's end (`body` None)."""

    seq: int
    body: bytes | None


@dataclass(eq=False)
class Listener:
    """One event stream: the events not yet sent, in order. A listener that falls
    ROOM_QUEUE_EVENTS behind is `behind`: its stream ends, and its client reconnects
    and is sent the current state."""

    code: str
    queue: asyncio.Queue[Event] = field(
        default_factory=lambda: asyncio.Queue(maxsize=ROOM_QUEUE_EVENTS))
    behind: bool = False


class Hub:
    """Fans the store's deliveries out to this process's listeners."""

    def __init__(self, store: RoomStore, max_per_room: int, max_total: int) -> None:
        self.store = store
        self.max_per_room = max_per_room
        self.max_total = max_total
        self._rooms: dict[str, set[Listener]] = {}
        self._total = 0
        # Joins under way (waiting for the room's lock or the store's watch), by room: a
        # place each, taken when the join passes check(), so that joins at once cannot
        # all pass it and together go past a limit.
        self._joining: dict[str, int] = {}
        # The store's watch/unwatch of a room, one at a time per room (never one lock for
        # all: a store slow for one room must not hold up every other), with its users.
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}
        store.attach(self.deliver)

    @property
    def listeners(self) -> int:
        return self._total

    def deliver(self, code: str, seq: int, body: bytes | None) -> None:
        for listener in self._rooms.get(code, ()):
            try:
                listener.queue.put_nowait(Event(seq, body))
            except asyncio.QueueFull:
                listener.behind = True

    def check(self, code: str) -> None:
        """ListenersFull when one more listener of `code` would pass a limit (the joins
        under way count as listeners)."""
        if self._total + sum(self._joining.values()) >= self.max_total:
            raise ListenersFull("this server has its maximum of event streams open")
        if len(self._rooms.get(code, ())) + self._joining.get(code, 0) >= self.max_per_room:
            raise ListenersFull("this room has its maximum of event streams open here")

    @asynccontextmanager
    async def _room_lock(self, code: str) -> AsyncIterator[None]:
        lock, users = self._locks.get(code, (asyncio.Lock(), 0))
        self._locks[code] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[code]
            if users == 1:
                del self._locks[code]
            else:
                self._locks[code] = (lock, users - 1)

    async def join(self, code: str) -> Listener:
        """A new listener of `code` (ListenersFull past a limit; the store's error when it
        cannot watch the room): every state published after this returns is delivered to
        it. Each join that returns is followed by a leave."""
        self.check(code)
        self._joining[code] = self._joining.get(code, 0) + 1  # no await since the check
        try:
            listener = Listener(code)
            async with self._room_lock(code):
                if code not in self._rooms:
                    await self.store.watch(code)
                    self._rooms[code] = set()
                self._rooms[code].add(listener)
                self._total += 1
            return listener
        finally:
            if self._joining[code] == 1:
                del self._joining[code]
            else:
                self._joining[code] -= 1

    async def leave(self, listener: Listener) -> None:
        with anyio.CancelScope(shield=True):  # a stream ends by cancellation
            async with self._room_lock(listener.code):
                listeners = self._rooms.get(listener.code)
                if listeners is None or listener not in listeners:
                    return
                listeners.discard(listener)
                self._total -= 1
                if not listeners:
                    del self._rooms[listener.code]
                    await self.store.unwatch(listener.code)
