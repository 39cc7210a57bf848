"""The fan-out writes frames straight to uvicorn's sans-I/O WebSocket protocol
(app/realtime/wire.py), through attributes uvicorn does not promise to keep. When a
uvicorn release moves them, this fails loudly rather than every broadcast quietly
falling back to the slow ASGI path (a third of a second per phase change at 5,000
phones): pyproject.toml pins the uvicorn versions this was tested with.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import tomllib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvicorn
import websockets
from fastapi import FastAPI

from app.main import create_app
from app.realtime import wire
from app.settings import Settings
from tests.liveserver import code_and_key, free_port, token_of
from tests.phoneclient import run_async
from tests.roomkit import DEMO_PROGRAM

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".")[:3])


def test_the_installed_uvicorn_is_one_the_pin_allows() -> None:
    dependencies = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]["dependencies"]
    (pin,) = [d for d in dependencies if d.startswith("uvicorn")]
    bounds = dict(re.findall(r"(>=|<)\s*([0-9.]+)", pin))
    assert set(bounds) == {">=", "<"}, f"{pin}: a lower and an upper bound, so a new uvicorn is tried first"
    installed = _version(uvicorn.__version__)
    assert _version(bounds[">="]) <= installed < _version(bounds["<"]), (
        f"uvicorn {uvicorn.__version__}, {pin}"
    )


def test_the_sans_io_protocol_is_where_the_direct_writer_looks_for_it() -> None:
    from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

    assert WebSocketsSansIOProtocol.__name__ == wire.PROTOCOL
    assert callable(getattr(WebSocketsSansIOProtocol, "send", None)), "the server's own send"


@dataclass
class _Room:
    app: FastAPI
    url: str  # the room socket's
    code: str
    key: str
    cookie: str  # Kari's


@asynccontextmanager
async def _real_server(tmp_path: Path) -> AsyncIterator[_Room]:
    """A real uvicorn with the app's middleware, as bin/run starts it, and a room Kari joined."""
    programs = tmp_path / "programs"
    programs.mkdir()
    (programs / "demo.toml").write_text(DEMO_PROGRAM, encoding="utf-8")
    settings = Settings(database_url=f"sqlite:///{tmp_path / 's.db'}", programs_dir=programs)
    app = create_app(settings)
    port = free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        ws="websockets-sansio",
        ws_per_message_deflate=False,
        log_level="warning",
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    try:
        while not server.started:
            await asyncio.sleep(0.05)
        base = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient(base_url=base) as http:
            code, key = code_and_key(await http.post("/workshops", data={"program": "demo.toml"}))
            joined = await http.post("/join", data={"code": code, "name": "Kari"})
            cookie = f"samling_{code}={token_of(joined, code)}"
        yield _Room(app, f"ws://127.0.0.1:{port}/ws", code, key, cookie)
    finally:
        server.should_exit = True
        await serving


async def _in_the_room(room: _Room, facilitator: Any, phone: Any) -> None:
    await facilitator.send(
        json.dumps({"type": "hello", "room": room.code, "role": "facilitator", "key": room.key})
    )
    await phone.send(json.dumps({"type": "hello", "room": room.code, "role": "participant"}))
    for socket in (facilitator, phone):
        while json.loads(await socket.recv())["type"] != "snapshot":
            pass


async def _phase_change(facilitator: Any, phone: Any) -> str:
    """The facilitator starts the day; the phase event the phone got."""
    await facilitator.send(json.dumps({"type": "action", "id": "a", "action": {"type": "start"}}))
    while True:
        message = json.loads(await phone.recv())
        if message["type"] == "event" and "position" in message["patch"]:
            return json.dumps(message)


def test_every_screen_of_a_real_server_is_written_to_directly(tmp_path: Path) -> None:
    """Each connection gets a direct writer and a broadcast goes through it (not through
    ASGI's send)."""
    written: list[str] = []
    write = wire.DirectWriter.write

    def counted(self: wire.DirectWriter, text: str) -> None:
        written.append(text)
        write(self, text)

    async def scenario() -> tuple[list[bool], str]:
        async with (
            _real_server(tmp_path) as room,
            websockets.connect(room.url) as facilitator,
            websockets.connect(room.url, additional_headers={"cookie": room.cookie}) as phone,
        ):
            await _in_the_room(room, facilitator, phone)
            live = room.app.state.hub.rooms[room.code]
            direct = [conn._direct is not None for conn in live.connections]
            written.clear()
            return direct, await _phase_change(facilitator, phone)

    wire.DirectWriter.write = counted  # type: ignore[method-assign]
    try:
        direct, event = run_async(scenario())
    finally:
        wire.DirectWriter.write = write  # type: ignore[method-assign]
    assert direct == [True, True], "a screen fell back to ASGI's send: see app/realtime/wire.py"
    assert any('"position"' in text for text in written), (
        "the phase change did not go through the direct writer"
    )
    assert json.loads(event)["patch"]["position"]["timer"]["status"] == "running"


def test_a_connected_screen_keeps_none_of_its_handshakes_headers(tmp_path: Path) -> None:
    """Thousands of phones stay connected for hours: the headers their handshakes brought
    (a few KB each, in the scope, uvicorn's request and response, the socket's cookies)
    are let go once a screen is in (wire.settle), and the screens go on as before."""

    slim: list[tuple[type, type]] = []

    async def scenario() -> tuple[list[dict[str, int]], str, str]:
        async with (
            _real_server(tmp_path) as room,
            websockets.connect(room.url) as facilitator,
            websockets.connect(room.url, additional_headers={"cookie": room.cookie}) as phone,
        ):
            await _in_the_room(room, facilitator, phone)
            kept = []
            for conn in room.app.state.hub.rooms[room.code].connections:
                assert conn._direct is not None
                protocol = conn._direct._protocol
                kept.append(
                    {
                        "scope": len(conn.websocket.scope["headers"]),
                        "request": len(protocol.request.headers),
                        "response": len(protocol.response.headers),
                        "socket's own": len(vars(conn.websocket).get("_headers", ())),
                    }
                )
                slim.append((type(protocol.queue), type(protocol.writable)))
            event = await _phase_change(facilitator, phone)
            await phone.send(json.dumps({"type": "ping", "t0": 7}))
            while (pong := json.loads(await phone.recv()))["type"] != "pong":
                pass
            return kept, event, json.dumps(pong)

    kept, event, pong = run_async(scenario())
    empty = {"scope": 0, "request": 0, "response": 0, "socket's own": 0}
    assert kept == [empty, empty], "a connected screen keeps its handshake's headers"
    assert slim == [(wire.Inbox, wire.Writable)] * 2, "uvicorn's asyncio.Queue and Event, 4 KB a screen"
    assert json.loads(event)["patch"]["position"]["timer"]["status"] == "running"
    assert json.loads(pong)["t0"] == 7


def test_the_inbox_and_writable_do_what_uvicorn_asks_of_its_queue_and_event() -> None:
    """What uvicorn's protocol does with them once a screen is in: the socket's messages in
    the order received, a read given up (the idle timeout) losing none; a send waits while
    the transport pushes back, and goes on when it drains."""

    async def scenario() -> list[object]:
        seen: list[object] = []
        inbox = wire.Inbox()
        reading = asyncio.ensure_future(inbox.get())
        await asyncio.sleep(0)
        inbox.put_nowait("hello")
        inbox.put_nowait("ping")
        seen += [await reading, await inbox.get(), inbox.empty()]
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(inbox.get(), 0.01)
        inbox.put_nowait("after the timeout")
        seen.append(await inbox.get())
        writable = wire.Writable(True)
        seen.append(await writable.wait())
        writable.clear()
        sending = asyncio.ensure_future(writable.wait())
        await asyncio.sleep(0.01)
        seen += [sending.done(), writable.is_set()]
        writable.set()
        seen += [await sending, writable.is_set()]
        return seen

    assert run_async(scenario()) == [
        "hello",
        "ping",
        True,
        "after the timeout",
        True,
        False,
        False,
        True,
        True,
    ]


class Transport:
    """A screen's socket: each write is one system call."""

    def __init__(self) -> None:
        self.writes: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.writes.append(data)

    def is_closing(self) -> bool:
        return False


@dataclass
class Protocol:
    transport: Transport


def test_a_corked_block_writes_each_screen_once_when_it_ends_even_when_it_raises() -> None:
    """A word's own view and its acknowledgement leave in one system call per screen, in
    the order written; a nested block leaves the writing to the outer one, an uncorked one
    writes at once, and a block that fails still writes what it held (nothing is lost)."""
    phone, staff = Transport(), Transport()
    to_phone, to_staff = wire.DirectWriter(Protocol(phone)), wire.DirectWriter(Protocol(staff))
    view, ack, board = '{"view": 1}', '{"ack": 1}', '{"board": 1}'
    with wire.corked():
        to_phone.write(view)
        with wire.corked():
            to_staff.write(board)
        to_phone.write(ack)
        assert phone.writes == staff.writes == []
    assert phone.writes == [wire.text_frame(view) + wire.text_frame(ack)]
    assert staff.writes == [wire.text_frame(board)]

    with wire.corked(False):
        to_phone.write(view)
        assert len(phone.writes) == 2

    with contextlib.suppress(ZeroDivisionError), wire.corked():
        to_phone.write(ack)
        1 / 0  # noqa: B018 - the block fails after writing
    assert phone.writes[2:] == [wire.text_frame(ack)]
    to_phone.write(view)
    assert phone.writes[3:] == [wire.text_frame(view)], "not held: the failed block uncorked"
