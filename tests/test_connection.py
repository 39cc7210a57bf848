"""One screen's connection (app/realtime/connection.py): frames reach the socket in
order; while it pushes back they wait in a small queue, which exists only while they
do; a screen a whole queue behind is closed as too slow."""

from __future__ import annotations

import asyncio
from typing import Any

from app.realtime.connection import CLOSE_TOO_SLOW, Connection
from tests.phoneclient import run_async


class SlowSocket:
    """A WebSocket (ASGI's send path, no direct writer) whose sends wait until let go."""

    def __init__(self) -> None:
        self.scope: dict[str, Any] = {}
        self.sent: list[str] = []
        self.closed_with: int | None = None
        self.go = asyncio.Event()
        self.go.set()

    async def send_text(self, text: str) -> None:
        await self.go.wait()
        self.sent.append(text)

    async def close(self, code: int = 1000) -> None:
        self.closed_with = code


def test_frames_go_in_order_and_nothing_waits_once_they_are_sent() -> None:
    async def scenario() -> tuple[SlowSocket, Connection]:
        socket = SlowSocket()
        conn = Connection(socket, "participant", "p1", queue_size=8)  # type: ignore[arg-type]
        socket.go.clear()
        for i in range(5):
            conn.send(f"f{i}")
        await asyncio.sleep(0.01)
        assert socket.sent == [] and conn._queue is not None
        socket.go.set()
        await asyncio.sleep(0.01)
        conn.send("f5")  # after the queue emptied
        await asyncio.sleep(0.01)
        return socket, conn

    socket, conn = run_async(scenario())
    assert socket.sent == [f"f{i}" for i in range(6)]
    assert conn._queue is None and conn._sender is None, "no queue, no task once the socket keeps up"


def test_a_screen_a_whole_queue_behind_is_closed_as_too_slow() -> None:
    async def scenario() -> SlowSocket:
        socket = SlowSocket()
        conn = Connection(socket, "participant", "p1", queue_size=4)  # type: ignore[arg-type]
        socket.go.clear()
        for i in range(10):
            conn.send(f"f{i}")
        socket.go.set()
        await asyncio.sleep(0.05)
        return socket

    socket = run_async(scenario())
    assert socket.closed_with == CLOSE_TOO_SLOW
    assert len(socket.sent) <= 1, "what waited is dropped: the phone resyncs from a snapshot"


def test_a_close_comes_after_what_was_queued() -> None:
    async def scenario() -> SlowSocket:
        socket = SlowSocket()
        conn = Connection(socket, "participant", "p1", queue_size=8)  # type: ignore[arg-type]
        conn.send("removed")
        conn.close(4004)
        await asyncio.sleep(0.01)
        return socket

    socket = run_async(scenario())
    assert socket.sent == ["removed"] and socket.closed_with == 4004
