"""The Redis bus against a real Redis (127.0.0.1:6379; bin/test starts it)."""

from __future__ import annotations

import asyncio
import secrets

import pytest
import redis.asyncio as aioredis

from app.bus import Published
from app.bus.redis import RedisBus
from tests.phoneclient import run_async, wait_until

pytestmark = [pytest.mark.server, pytest.mark.timeout(60)]

REDIS_URL = "redis://127.0.0.1:6379/0"


async def _a_dropped_listening_connection_makes_every_room_catch_up() -> None:
    bus = RedisBus(REDIS_URL)
    resynced: list[str] = []
    received: list[int] = []

    async def catch_up(room: str) -> None:
        resynced.append(room)

    async def handle(message: Published) -> None:
        received.append(message.seq)

    bus.on_reconnect = catch_up
    await bus.start()
    room = f"T{secrets.token_hex(3)}"
    await bus.subscribe(room, handle)
    try:

        async def published_and_heard(seq: int) -> None:
            async def heard() -> bool:
                await bus.publish(Published(room, seq, {"n": seq}))
                await asyncio.sleep(0.1)
                return seq in received

            for _ in range(50):
                if await heard():
                    return
            raise AssertionError(f"message {seq} never arrived")

        await published_and_heard(1)
        # Redis drops the listening connection (a restart, a network blip) and is back at
        # once: whatever was published meanwhile is gone, so every room must catch up
        # from the database; a silent reconnect would leave them behind for good.
        killer = aioredis.from_url(REDIS_URL)
        try:
            assert await killer.client_kill_filter(_type="pubsub") >= 1
        finally:
            await killer.aclose()
        await wait_until(lambda: room in resynced, 10)
        await published_and_heard(2)  # and the bus carries messages again
    finally:
        await bus.stop()


def test_a_dropped_listening_connection_makes_every_room_catch_up() -> None:
    run_async(_a_dropped_listening_connection_makes_every_room_catch_up())


async def _one_rooms_slow_handler_never_delays_another_room() -> None:
    publisher, listener = RedisBus(REDIS_URL), RedisBus(REDIS_URL)
    slow_room, quick_room = f"S{secrets.token_hex(3)}", f"Q{secrets.token_hex(3)}"
    released = asyncio.Event()
    heard: list[tuple[str, int]] = []

    async def slow(message: Published) -> None:
        await released.wait()  # as a room waiting for its lock during a database outage
        heard.append((slow_room, message.seq))

    async def quick(message: Published) -> None:
        heard.append((quick_room, message.seq))

    await publisher.start()
    await listener.start()
    await listener.subscribe(slow_room, slow)
    await listener.subscribe(quick_room, quick)
    try:
        await wait_until(lambda: listener._connected.is_set(), 5)
        await asyncio.sleep(0.2)  # the subscriptions are in place
        for seq in (1, 2):
            await publisher.publish(Published(slow_room, seq, {"n": seq}))
        await publisher.publish(Published(quick_room, 1, {"n": 1}))
        await wait_until(lambda: (quick_room, 1) in heard, 5)  # never, were it to wait
        assert heard == [(quick_room, 1)], "the quick room did not wait for the slow one"
        released.set()
        await wait_until(lambda: len(heard) == 3, 5)
        assert heard[1:] == [(slow_room, 1), (slow_room, 2)], "each room's own order holds"
    finally:
        await publisher.stop()
        await listener.stop()


def test_one_rooms_slow_handler_never_delays_another_room() -> None:
    run_async(_one_rooms_slow_handler_never_delays_another_room())


async def _a_room_subscribed_while_the_bus_connects_hears_its_messages() -> None:
    publisher, listener = RedisBus(REDIS_URL), RedisBus(REDIS_URL)
    room = f"T{secrets.token_hex(3)}"
    heard: list[int] = []

    async def handle(message: Published) -> None:
        heard.append(message.seq)

    await publisher.start()
    await listener.start()
    try:
        while listener._pubsub is None:  # the listener is connecting and subscribing now
            await asyncio.sleep(0)
        await listener.subscribe(room, handle)  # a room loaded in the middle of it
        await wait_until(lambda: listener._connected.is_set(), 5)
        await publisher.publish(Published(room, 1, {"n": 1}))
        await wait_until(lambda: heard == [1], 5)
    finally:
        await publisher.stop()
        await listener.stop()


def test_a_room_subscribed_while_the_bus_connects_hears_its_messages() -> None:
    run_async(_a_room_subscribed_while_the_bus_connects_hears_its_messages())
