"""One screen's WebSocket connection, with a bounded send queue.

uvicorn never blocks a send, so a slow phone's frames would pile up in memory. Each
connection instead has a small queue drained by its own task; a phone that falls a whole
queue behind is disconnected, reconnects by itself and catches up from a fresh snapshot.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Literal

from starlette.websockets import WebSocket

Role = Literal["participant", "facilitator", "projector"]

# WebSocket close codes the browser script understands (see docs/protocol.md).
CLOSE_TOO_SLOW = 4008
CLOSE_REMOVED = 4004
CLOSE_ROOM_CLOSED = 4404  # the workshop was closed or deleted: the code no longer opens it


class Connection:
    def __init__(self, websocket: WebSocket, role: Role, participant: str | None, queue_size: int) -> None:
        self.websocket = websocket
        self.role = role
        self.participant = participant
        self._queue: asyncio.Queue[str | None] = asyncio.Queue(maxsize=queue_size)
        self._sender: asyncio.Task[None] | None = None
        self._close_code = 1000
        self.closed = False

    @property
    def is_staff(self) -> bool:
        return self.role != "participant"

    def start(self) -> None:
        self._sender = asyncio.create_task(self._drain())

    def send(self, frame: str) -> None:
        """Queue a frame without waiting; a connection that cannot keep up is dropped."""
        if self.closed:
            return
        try:
            self._queue.put_nowait(frame)
        except asyncio.QueueFull:
            self.close(CLOSE_TOO_SLOW)

    def close(self, code: int = 1000) -> None:
        """Close after the frames already queued (a removed phone still hears why)."""
        if self.closed:
            return
        self.closed = True
        self._close_code = code
        if self._queue.full():
            # Too slow: the frames left are moot, the client resyncs from a snapshot.
            while not self._queue.empty():
                self._queue.get_nowait()
        self._queue.put_nowait(None)

    async def _drain(self) -> None:
        try:
            while True:
                frame = await self._queue.get()
                if frame is None:
                    with contextlib.suppress(Exception):
                        await self.websocket.close(code=self._close_code)
                    return
                await self.websocket.send_text(frame)
        except Exception:
            self.closed = True

    async def finish(self) -> None:
        self.closed = True
        if self._sender is not None:
            self._sender.cancel()
            with contextlib.suppress(BaseException):
                await self._sender
