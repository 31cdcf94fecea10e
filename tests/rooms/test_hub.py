"""The hub's watch of a room in the store: one room's slow watch never holds up another's
listeners, and a watch that fails leaves nothing behind."""

from __future__ import annotations

import asyncio

import pytest

from chainrule.errors import RoomBusy
from chainrule.rooms.hub import Hub, ListenersFull
from chainrule.rooms.store import MemoryRooms
from tests.rooms.aio import run_coroutine

GUARD_S = 30.0  # a failure guard, never a measured time


class SlowStore(MemoryRooms):
    """Watching room "SLOW" waits until the test lets it go; watching "DOWN" fails as a
    Redis that stopped answering does."""

    def __init__(self) -> None:
        super().__init__()
        self.release = asyncio.Event()
        self.watching: list[str] = []

    async def watch(self, code: str) -> None:
        self.watching.append(code)
        if code == "SLOW":
            await self.release.wait()
        if code == "DOWN":
            raise RoomBusy("the rooms' store is not answering; try again shortly")


def test_a_slow_watch_of_one_room_does_not_hold_up_another() -> None:
    async def run() -> tuple[list[str], int, int]:
        store = SlowStore()
        hub = Hub(store, 10, 10)
        slow = asyncio.create_task(hub.join("SLOW"))
        while "SLOW" not in store.watching:
            await asyncio.sleep(0)
        # Behind one lock for all rooms this waits for SLOW's watch: the guard fails it.
        fast = await asyncio.wait_for(hub.join("FAST"), GUARD_S)
        joined_while_slow = hub.listeners
        store.release.set()
        await hub.leave(await slow)
        await hub.leave(fast)
        return store.watching, joined_while_slow, hub.listeners

    assert run_coroutine(run()) == (["SLOW", "FAST"], 1, 0)


def test_a_failed_watch_adds_no_listener() -> None:
    async def run() -> int:
        hub = Hub(SlowStore(), 10, 10)
        with pytest.raises(RoomBusy):
            await hub.join("DOWN")
        return hub.listeners

    assert run_coroutine(run()) == 0


def test_joins_at_once_never_pass_the_rooms_limit() -> None:
    async def run() -> tuple[int, int, int, int]:
        store = SlowStore()
        hub = Hub(store, 3, 10)
        joins = [asyncio.create_task(hub.join("SLOW")) for _ in range(5)]
        while "SLOW" not in store.watching:
            await asyncio.sleep(0)
        # The first join waits on the watch, two more on the room's lock: the room is full.
        with pytest.raises(ListenersFull):
            hub.check("SLOW")
        store.release.set()
        results = await asyncio.gather(*joins, return_exceptions=True)
        joined = [r for r in results if not isinstance(r, BaseException)]
        refused = [r for r in results if isinstance(r, ListenersFull)]
        listening = hub.listeners
        for listener in joined:
            await hub.leave(listener)
        return len(joined), len(refused), listening, hub.listeners

    assert run_coroutine(run()) == (3, 2, 3, 0)


def test_joins_at_once_never_pass_the_servers_limit() -> None:
    async def run() -> tuple[int, int, int]:
        store = SlowStore()
        hub = Hub(store, 10, 4)
        joins = [asyncio.create_task(hub.join(code)) for code in ("SLOW", "SLOW", "SLOW")]
        while "SLOW" not in store.watching:
            await asyncio.sleep(0)
        # Two more rooms' joins: one fits beside the three under way, the other does not.
        fast = await asyncio.wait_for(hub.join("FAST"), GUARD_S)
        with pytest.raises(ListenersFull):
            await hub.join("OTHER")
        store.release.set()
        slow = await asyncio.gather(*joins)
        listening = hub.listeners
        for listener in [*slow, fast]:
            await hub.leave(listener)
        return len(slow), listening, hub.listeners

    assert run_coroutine(run()) == (3, 4, 0)


def test_a_failed_watch_gives_back_the_place_it_took() -> None:
    async def run() -> int:
        hub = Hub(SlowStore(), 1, 1)
        with pytest.raises(RoomBusy):
            await hub.join("DOWN")
        listener = await hub.join("FAST")  # the one place is free again
        await hub.leave(listener)
        return hub.listeners

    assert run_coroutine(run()) == 0
