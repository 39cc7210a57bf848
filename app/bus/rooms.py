"""Bus messages handled per room: each room's in order, on a task of its own.

A message may have to wait: a gap is read from the database under the room's lock, and
during a PostgreSQL outage that lock is held by a write waiting for the database. The
bus's reader only queues messages here, so one room waiting never delays another's. A
room's task lives while it has messages, so idle rooms cost nothing.

A room that falls ``LIMIT`` messages behind drops the oldest: what they said is in the
database, and the room reads it there when it sees the gap.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

log = logging.getLogger("samling.bus")

T = TypeVar("T")

LIMIT = 1024


class PerRoom(Generic[T]):
    def __init__(self, handle: Callable[[str, T], Awaitable[None]], limit: int = LIMIT) -> None:
        self._handle = handle
        self._limit = limit
        self._queues: dict[str, deque[T]] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}

    def put(self, room: str, item: T) -> None:
        queue = self._queues.setdefault(room, deque())
        queue.append(item)
        if len(queue) > self._limit:
            queue.popleft()
            log.warning("room %s: %d bus messages waiting; dropped the oldest", room, self._limit)
        if room not in self._tasks:
            self._tasks[room] = asyncio.create_task(self._drain(room), name=f"bus-room-{room}")

    async def _drain(self, room: str) -> None:
        queue = self._queues[room]
        try:
            while queue:
                item = queue.popleft()
                try:
                    await self._handle(room, item)
                except Exception:
                    log.exception("room %s: could not handle a bus message", room)
        finally:
            del self._tasks[room]
            if not queue:
                self._queues.pop(room, None)

    async def idle(self) -> None:
        """Wait until every message queued so far is handled (for tests and shutdown)."""
        while self._tasks:
            await asyncio.gather(*self._tasks.values(), return_exceptions=True)

    def stop(self) -> None:
        for task in self._tasks.values():
            task.cancel()
        self._queues.clear()
