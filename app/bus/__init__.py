"""The broadcast bus: how an accepted command reaches every server process serving a room.

The realtime layer publishes ``(seq, command)`` after the command is stored; every
process subscribed to the room (itself included) applies it to its copy of the room and
tells its own screens. ``publish`` raises when the bus did not take the message (the
room's outbox keeps it and tries again); the bus hands each room's messages to its
handler in order, and one room's slow handler never delays another room. The backend is
chosen by URL: ``memory://`` (one process, the
default) and ``redis://`` (any number of processes, see app/bus/redis.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class Published:
    room: str
    seq: int
    command: dict[str, Any]  # serialize.command_to_json


Handler = Callable[[Published], Awaitable[None]]
Resync = Callable[[str], Awaitable[None]]  # "room <code>: catch up from the database"


class Bus(Protocol):
    on_reconnect: Resync | None  # called per room after the bus lost messages
    shared: bool  # other processes may serve the same rooms: what one stores, it publishes

    async def start(self) -> None: ...
    async def stop(self) -> None: ...
    async def publish(self, message: Published) -> None: ...
    async def subscribe(self, room: str, handler: Handler) -> None: ...
    async def unsubscribe(self, room: str) -> None: ...


def bus_from_url(url: str) -> Bus:
    if url.startswith("memory://"):
        from app.bus.memory import MemoryBus

        return MemoryBus()
    if url.startswith(("redis://", "rediss://", "unix://")):
        from app.bus.redis import RedisBus

        return RedisBus(url)
    raise ValueError(f"unsupported bus URL {url!r}: use memory:// or redis://host:6379/0")
