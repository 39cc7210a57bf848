"""Two real server processes share one room through PostgreSQL and Redis: what happens on
one reaches the screens on the other, in order, with no gap and no duplicate."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import websockets

from tests.liveserver import LiveServer, create_workshop, join, programs_folder, two_processes
from tests.phoneclient import run_async
from tests.roomkit import DEMO_PROGRAM

pytestmark = [pytest.mark.server, pytest.mark.timeout(90)]

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def two_servers(tmp_path: Path, postgres_url: str) -> Iterator[tuple[LiveServer, LiveServer]]:
    programs = programs_folder(tmp_path, {"demo.toml": DEMO_PROGRAM})
    with two_processes(tmp_path, programs, database_url=postgres_url, bus_url=REDIS_URL) as servers:
        yield servers


class Client:
    """One screen's socket: the messages it received, in order."""

    def __init__(self, socket: Any) -> None:
        self.socket = socket
        self.messages: list[dict[str, Any]] = []
        self.answers: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for raw in self.socket:
            message = json.loads(raw)
            self.messages.append(message)
            future = self.answers.pop(message.get("id") or "", None)
            if future is not None and message["type"] in ("ack", "error"):
                future.set_result(message)

    async def act(self, message_id: str, action: dict[str, Any]) -> dict[str, Any]:
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.answers[message_id] = future
        await self.socket.send(json.dumps({"type": "action", "id": message_id, "action": action}))
        return await asyncio.wait_for(future, 10)

    def event_seqs(self) -> list[int]:
        return [m["seq"] for m in self.messages if m["type"] == "event"]

    async def wait_for_seq(self, seq: int) -> None:
        for _ in range(200):
            if self.messages and max([0, *self.event_seqs()]) >= seq:
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"never saw seq {seq}")


async def connect(server: LiveServer, hello: dict[str, Any], cookie: str | None = None) -> Client:
    headers = {"cookie": cookie} if cookie else {}
    socket = await websockets.connect(server.url.replace("http", "ws") + "/ws", additional_headers=headers)
    await socket.send(json.dumps(hello))
    client = Client(socket)
    for _ in range(100):
        if any(m["type"] == "snapshot" for m in client.messages):
            return client
        await asyncio.sleep(0.05)
    raise AssertionError(f"no snapshot: {client.messages}")


async def _a_room_served_by_two_processes_stays_in_one_order(
    two_servers: tuple[LiveServer, LiveServer],
) -> None:
    a, b = two_servers
    code, key = create_workshop(a, "demo.toml")
    kari = join(a, code, "Kari")
    ola = join(b, code, "Ola")
    facilitator = await connect(a, {"type": "hello", "room": code, "role": "facilitator", "key": key})
    phone_b = await connect(
        b, {"type": "hello", "room": code, "role": "participant"}, f"samling_{code}={kari}"
    )
    phone_a = await connect(
        a, {"type": "hello", "room": code, "role": "participant"}, f"samling_{code}={ola}"
    )

    # The facilitator's action on server A reaches the phone on server B.
    started = await facilitator.act("f-start", {"type": "start"})
    assert started["type"] == "ack"
    await phone_b.wait_for_seq(started["seq"])
    position = next(
        m for m in reversed(phone_b.messages) if m["type"] == "event" and "position" in m["patch"]
    )
    assert position["patch"]["position"]["timer"]["status"] == "running"

    # Both processes take actions at the same time: every one gets its own number.
    async def facilitator_toggles() -> list[dict[str, Any]]:
        answers = []
        for i in range(10):
            action = {"type": "pause"} if i % 2 == 0 else {"type": "resume"}
            answers.append(await facilitator.act(f"f-{i}", action))
        return answers

    async def notes(phone: Client, who: str) -> list[dict[str, Any]]:
        return [
            await phone.act(
                f"{who}-{i}", {"type": "save_note", "exercise": "refleksjon", "text": f"{who} {i}"}
            )
            for i in range(10)
        ]

    results = await asyncio.gather(facilitator_toggles(), notes(phone_b, "kari"), notes(phone_a, "ola"))
    answers = [answer for group in results for answer in group]
    assert all(answer["type"] == "ack" for answer in answers), answers
    seqs = sorted(answer["seq"] for answer in answers)
    assert seqs == list(range(started["seq"] + 1, started["seq"] + 31))  # no gap, no duplicate

    last = seqs[-1]
    await phone_b.wait_for_seq(max(a["seq"] for a in results[0]))
    for phone in (phone_a, phone_b):
        # In order, each once (one action may send a screen two patches with one number).
        seen = phone.event_seqs()
        assert seen == sorted(seen), seen
        events = [(m["seq"], json.dumps(m["patch"])) for m in phone.messages if m["type"] == "event"]
        assert len(events) == len(set(events))
    # Phone B (server B) saw every pause and resume made on server A, in that order.
    statuses = [
        m["patch"]["position"]["timer"]["status"]
        for m in phone_b.messages
        if m["type"] == "event" and "position" in m["patch"] and m["seq"] > started["seq"]
    ]
    assert statuses == ["paused", "running"] * 5

    # A latecomer on server B gets the room as both processes agree it is.
    late = await connect(b, {"type": "hello", "room": code, "role": "projector", "key": key})
    snapshot = next(m for m in late.messages if m["type"] == "snapshot")
    assert snapshot["seq"] == last
    assert snapshot["state"]["position"]["timer"]["status"] == "running"
    for client in (facilitator, phone_a, phone_b, late):
        await client.socket.close()


def test_a_room_served_by_two_processes_stays_in_one_order(
    two_servers: tuple[LiveServer, LiveServer],
) -> None:
    run_async(_a_room_served_by_two_processes_stays_in_one_order(two_servers))
