"""One screen's WebSocket connection, with a bounded send queue.

A frame goes straight to the socket when it can (see ``wire``: encoded once per
broadcast, no task switch). When the socket pushes back, or the server offers no direct
path, frames wait in a small queue drained by a task of the connection's, in order, both
there only until the queue is empty again; a phone that falls a whole queue behind is
disconnected, reconnects by itself and catches up from a fresh snapshot, so a slow phone
never piles frames up in memory.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
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
        self._direct = wire.writer(websocket.scope)
        self._queue_size = queue_size
        # Frames waiting for the socket, and the task sending them: only while the socket
        # pushes back (or has no direct path). 5,000 idle phones keep neither.
        self._queue: deque[str | None] | None = None  # None in it: close after the rest
        self._sender: asyncio.Task[None] | None = None
        self._close_code = 1000
        self.closed = False

    @property
    def is_staff(self) -> bool:
        return self.role != "participant"

    def send(self, frame: str) -> None:
        """Queue a frame without waiting; a connection that cannot keep up is dropped."""
        if self.closed:
            return
        if self._queue is None and self._direct is not None and self._direct.ready():
            self._direct.write(frame)  # nothing queued before it: order is kept
            return
        if self._queue is not None and len(self._queue) >= self._queue_size:
            self.close(CLOSE_TOO_SLOW)
            return
        self._enqueue(frame)

    def close(self, code: int = 1000) -> None:
        """Close after the frames already queued (a removed phone still hears why)."""
        if self.closed:
            return
        self.closed = True
        self._close_code = code
        if self._queue is not None and len(self._queue) >= self._queue_size:
            self._queue.clear()  # too slow: the frames left are moot, it resyncs from a snapshot
        self._enqueue(None)

    def _enqueue(self, item: str | None) -> None:
        if self._queue is None:
            self._queue = deque()
        self._queue.append(item)
        if self._sender is None:
            self._sender = asyncio.create_task(self._drain())

    async def _drain(self) -> None:
        queue = self._queue
        assert queue is not None
        try:
            while queue:
                frame = queue.popleft()
                if frame is None:
                    with contextlib.suppress(Exception):
                        await self.websocket.close(code=self._close_code)
                    return
                await self.websocket.send_text(frame)
        except Exception:
            self.closed = True
        finally:
            self._sender = None
            if not queue:
                self._queue = None  # the socket keeps up again: straight to it

    async def finish(self) -> None:
        self.closed = True
        sender = self._sender
        if sender is not None:
            sender.cancel()
            with contextlib.suppress(BaseException):
                await sender
