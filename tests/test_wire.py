"""The fan-out writes frames straight to uvicorn's sans-I/O WebSocket protocol
(app/realtime/wire.py), through attributes uvicorn does not promise to keep. When a
uvicorn release moves them, this fails loudly rather than every broadcast quietly
falling back to the slow ASGI path (a third of a second per phase change at 5,000
phones): pyproject.toml pins the uvicorn versions this was tested with.
"""

from __future__ import annotations

import asyncio
import json
import re
import tomllib
from pathlib import Path

import httpx
import uvicorn
import websockets

from app.main import create_app
from app.realtime import wire
from app.settings import Settings
from tests.liveserver import free_port
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


def test_every_screen_of_a_real_server_is_written_to_directly(tmp_path: Path) -> None:
    """A real uvicorn with the app's middleware: each connection gets a direct writer and
    a broadcast goes through it (not through ASGI's send)."""
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
    written: list[str] = []
    write = wire.DirectWriter.write

    def counted(self: wire.DirectWriter, text: str) -> None:
        written.append(text)
        write(self, text)

    async def scenario() -> tuple[list[bool], str]:
        serving = asyncio.create_task(server.serve())
        try:
            while not server.started:
                await asyncio.sleep(0.05)
            base = f"http://127.0.0.1:{port}"
            async with httpx.AsyncClient(base_url=base) as http:
                created = await http.post("/workshops", data={"program": "demo.toml"})
                _, _, code, key = created.headers["location"].split("/")
                joined = await http.post("/join", data={"code": code, "name": "Kari"})
                cookie = f"samling_{code}={joined.cookies[f'samling_{code}']}"
            url = f"ws://127.0.0.1:{port}/ws"
            async with (
                websockets.connect(url) as facilitator,
                websockets.connect(url, additional_headers={"cookie": cookie}) as phone,
            ):
                await facilitator.send(
                    json.dumps({"type": "hello", "room": code, "role": "facilitator", "key": key})
                )
                await phone.send(json.dumps({"type": "hello", "room": code, "role": "participant"}))
                for socket in (facilitator, phone):
                    while json.loads(await socket.recv())["type"] != "snapshot":
                        pass
                live = app.state.hub.rooms[code]
                direct = [conn._direct is not None for conn in live.connections]
                written.clear()
                await facilitator.send(json.dumps({"type": "action", "id": "a", "action": {"type": "start"}}))
                while True:
                    message = json.loads(await phone.recv())
                    if message["type"] == "event" and "position" in message["patch"]:
                        return direct, json.dumps(message)
        finally:
            server.should_exit = True
            await serving

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
