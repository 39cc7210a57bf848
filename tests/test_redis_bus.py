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
