"""A room's stored commands on their way to the other processes: in order, each kept
until the bus has taken it.

An action is acknowledged once it is stored, not once it is published, so publishing
never holds up an answer. A publish that fails (Redis away) is tried again, the same
message first, after a jittered backoff capped at ``MAX_BACKOFF``. A process that misses
a message anyway reads it from the database when it notices the gap, so when Redis is
away for long the outbox keeps only the newest ``LIMIT`` messages.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import deque

from app.bus import Bus, Published

log = logging.getLogger(__name__)

LIMIT = 1024  # messages kept while the bus is away; older ones are read from the database
MAX_BACKOFF = 2.0  # seconds between two tries at most


def backoff(attempt: int) -> float:
    """Seconds to wait before try ``attempt + 1``: doubling from 0.1 s, capped, jittered."""
    return float(min(MAX_BACKOFF, 0.1 * 2.0 ** (attempt - 1)) * random.uniform(0.5, 1.0))


class Outbox:
    def __init__(self, bus: Bus, room: str, limit: int = LIMIT) -> None:
        self._bus = bus
        self._room = room
        self._messages: deque[Published] = deque()
        self._limit = limit
        self._task: asyncio.Task[None] | None = None
        self.dropped = 0  # messages given up while the bus was away (the database has them)

    @property
    def empty(self) -> bool:
        """Nothing waiting, nothing being published."""
        return not self._messages

    def put(self, message: Published) -> None:
        self._messages.append(message)
        if len(self._messages) > self._limit:
            self._messages.popleft()
            self.dropped += 1
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=f"outbox-{self._room}")

    async def _run(self) -> None:
        attempt = 0
        try:
            while self._messages:
                message = self._messages[0]
                try:
                    await self._bus.publish(message)
                except Exception as exc:
                    attempt += 1
                    delay = backoff(attempt)
                    log.warning(
                        "room %s: could not publish %s (%s); trying again in %.1f s",
                        self._room,
                        message.seq,
                        type(exc).__name__,
                        delay,
                    )
                    await asyncio.sleep(delay)
                    continue
                attempt = 0
                if self._messages and self._messages[0] is message:  # not dropped meanwhile
                    self._messages.popleft()
        finally:
            self._task = None

    def stop(self) -> None:
        """The room is forgotten: what is left is in the database."""
        self._messages.clear()
        if self._task is not None:
            self._task.cancel()
