"""A phone that goes silent (asleep, out of Wi-Fi: its socket left open, nothing more
from it) shows offline on the facilitator's page within 20 s; a phone that pings as the
browser does stays online."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from pathlib import Path
from typing import Any

import pytest
import websockets

from app.settings import Settings
from tests.liveserver import LiveServer, create_workshop, join, programs_folder
from tests.phoneclient import POLICY, run_async
from tests.roomkit import DEMO_PROGRAM

pytestmark = [pytest.mark.server, pytest.mark.timeout(60)]

IDLE = 2.0  # the server's idle timeout in the live test (the default is checked below)


def test_by_default_a_silent_phone_is_offline_within_20_s_and_a_pinging_one_never() -> None:
    idle = Settings().idle_timeout_seconds
    ping = POLICY["pingIntervalMs"] / 1000
    assert idle <= 20, "a phone that went away shows offline within 20 s of its last ping"
    assert idle >= 2 * ping + 1, "one lost ping (a blip) does not make a phone offline"


async def _silence_is_offline(server: LiveServer, code: str, key: str, cookies: list[str]) -> dict[str, Any]:
    url = server.url.replace("http", "ws") + "/ws"
    presence: list[tuple[float, str, bool]] = []

    async def pinging(socket: Any, every: float) -> None:
        while True:
            await socket.send(json.dumps({"type": "ping", "t0": int(time.time() * 1000)}))
            await asyncio.sleep(every)

    async def screen(hello: dict[str, Any], cookie: str | None) -> Any:
        headers = {"cookie": cookie} if cookie else {}
        socket = await websockets.connect(url, additional_headers=headers)
        await socket.send(json.dumps(hello))
        return socket

    facilitator = await screen({"type": "hello", "room": code, "role": "facilitator", "key": key}, None)

    async def watch() -> None:
        async for raw in facilitator:
            message = json.loads(raw)
            if message["type"] == "people":
                for pid in message["online"]:
                    presence.append((time.monotonic(), pid, True))
                for pid in message["offline"]:
                    presence.append((time.monotonic(), pid, False))

    tasks = [asyncio.create_task(watch()), asyncio.create_task(pinging(facilitator, IDLE / 4))]
    awake = await screen({"type": "hello", "room": code, "role": "participant"}, cookies[0])
    tasks.append(asyncio.create_task(pinging(awake, IDLE / 4)))
    silent = await screen({"type": "hello", "room": code, "role": "participant"}, cookies[1])
    silent.transport.pause_reading()  # reads nothing more, sends nothing more; stays open
    went_silent = time.monotonic()
    await asyncio.sleep(3 * IDLE)
    for task in tasks:
        task.cancel()
    for socket in (facilitator, awake):
        with contextlib.suppress(Exception):
            await socket.close()
    silent.transport.abort()
    return {"presence": presence, "went_silent": went_silent}


def test_a_silent_phone_shows_offline_to_the_staff_within_the_idle_timeout(tmp_path: Path) -> None:
    programs = programs_folder(tmp_path, {"demo.toml": DEMO_PROGRAM})
    with LiveServer(tmp_path, programs, idle_timeout_seconds=str(IDLE)) as server:
        code, key = create_workshop(server, "demo.toml")
        cookies = [f"samling_{code}={join(server, code, name)}" for name in ("Våken", "Sover")]
        seen = run_async(_silence_is_offline(server, code, key, cookies))
    presence = seen["presence"]
    assert [(pid, online) for _, pid, online in presence if online] == [("p1", True), ("p2", True)]
    offline = [(at, pid) for at, pid, online in presence if not online]
    assert [pid for _, pid in offline] == ["p2"], "only the silent phone, and the pinging one never"
    took = offline[0][0] - seen["went_silent"]
    assert IDLE - 0.5 <= took <= IDLE + 3, took
