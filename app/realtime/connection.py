"""One screen's WebSocket connection, with a bounded send queue.

A frame goes straight to the socket when it can (see ``wire``: encoded once per
broadcast, no task switch). When the socket pushes back, or the server offers no direct
path, frames wait in a small queue drained by the connection's own task, in order; a
phone that falls a whole queue behind is disconnected, reconnects by itself and catches
up from a fresh snapshot, so a slow phone never piles frames up in memory.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Literal

from starlette.websockets import WebSocket

from app.realtime import wire

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
        self._direct = wire.writer(websocket.scope)
        self._waiting = 0  # frames queued or being sent by the drain task
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
        if self._waiting == 0 and self._direct is not None and self._direct.ready():
            self._direct.write(frame)  # nothing queued before it: order is kept
            return
        try:
            self._queue.put_nowait(frame)
        except asyncio.QueueFull:
            self.close(CLOSE_TOO_SLOW)
            return
        self._waiting += 1

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
                self._waiting -= 1
        except Exception:
            self.closed = True

    async def finish(self) -> None:
        self.closed = True
        if self._sender is not None:
            self._sender.cancel()
            with contextlib.suppress(BaseException):
                await self._sender
