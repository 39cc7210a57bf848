"""The in-process bus: one server process, delivery by a direct call.

In one process every message is the room's own (already applied), so a handler never
waits for the database; it cannot fail to publish either.
"""

from __future__ import annotations

import logging

from app.bus import Handler, Published, Resync

log = logging.getLogger("samling.bus")


class MemoryBus:
    shared = False  # one process: its commands are applied already, nothing to publish

    def __init__(self) -> None:
        self._handlers: dict[str, Handler] = {}
        self.on_reconnect: Resync | None = None  # nothing is ever lost in one process

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        self._handlers.clear()

    async def publish(self, message: Published) -> None:
        handler = self._handlers.get(message.room)
        if handler is not None:
            try:
                await handler(message)
            except Exception:  # delivered all the same: nothing to publish again
                log.exception("room %s: could not handle a bus message", message.room)

    async def subscribe(self, room: str, handler: Handler) -> None:
        self._handlers[room] = handler

    async def unsubscribe(self, room: str) -> None:
        self._handlers.pop(room, None)
