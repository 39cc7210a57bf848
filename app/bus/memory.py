"""The in-process bus: one server process, delivery by a direct call."""

from __future__ import annotations

from app.bus import Handler, Published, Resync


class MemoryBus:
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
            await handler(message)

    async def subscribe(self, room: str, handler: Handler) -> None:
        self._handlers[room] = handler

    async def unsubscribe(self, room: str) -> None:
        self._handlers.pop(room, None)
