"""The delete-vs-reconnect race, against a real server: phones that keep reconnecting
and writing while the facilitator deletes the workshop. Each time, the deleted workshop
never comes back in memory (no page, no results, no socket), its id is never given out
again, and none of its writes lands in another workshop."""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import sqlite3
from pathlib import Path

import httpx
import pytest
import websockets

from tests.liveserver import LiveServer, code_and_key, programs_folder, token_of
from tests.phoneclient import run_async, wait_until
from tests.roomkit import DEMO_PROGRAM

pytestmark = [pytest.mark.server, pytest.mark.timeout(180)]

ROUNDS = 15
PHONES = 6


async def _join(http: httpx.AsyncClient, code: str, name: str) -> str:
    return token_of(await http.post("/join", data={"code": code, "name": name}), code)


async def _keep_reconnecting(url: str, code: str, token: str, stop: asyncio.Event, seen: list[str]) -> None:
    """Connect, say hello, write a private note, hang up; again, until told to stop."""
    n = 0
    while not stop.is_set():
        n += 1
        with contextlib.suppress(OSError, websockets.WebSocketException, TimeoutError):
            async with websockets.connect(
                url.replace("http", "ws") + "/ws", additional_headers={"cookie": f"samling_{code}={token}"}
            ) as socket:
                await socket.send(json.dumps({"type": "hello", "room": code, "role": "participant"}))
                first = json.loads(await asyncio.wait_for(socket.recv(), 5))
                seen.append(first.get("code") or first["type"])
                if first["type"] == "welcome":
                    note = {"type": "save_note", "exercise": "refleksjon", "text": f"hemmelig {code} {n}"}
                    await socket.send(json.dumps({"type": "action", "id": f"n{n}", "action": note}))
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(socket.recv(), random.uniform(0, 0.05))
        await asyncio.sleep(random.uniform(0, 0.01))


async def _race(server: LiveServer) -> tuple[list[str], list[str]]:
    """Per round: a workshop with phones that keep reconnecting and writing; delete it;
    at once create the next one (the one that would get the deleted id on SQLite)."""
    deleted: list[str] = []
    bystanders: list[str] = []
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
        for _ in range(ROUNDS):
            code, key = code_and_key(await http.post("/workshops", data={"program": "demo.toml"}))
            tokens = []
            for i in range(PHONES):
                http.cookies.clear()
                tokens.append(await _join(http, code, f"P{i}"))
            http.cookies.clear()
            stop, seen = asyncio.Event(), list[str]()
            phones = [
                asyncio.create_task(_keep_reconnecting(server.url, code, t, stop, seen)) for t in tokens
            ]
            # The phones are in (a loaded machine may take a while), then keep at it a moment.
            await wait_until(lambda: "welcome" in seen, 20)  # noqa: B023 (awaited here, this round's)
            await asyncio.sleep(random.uniform(0.05, 0.3))
            gone = await http.post(f"/f/{code}/{key}/delete", data={"confirm": "yes"})
            assert gone.status_code == 200
            deleted.append(code)
            next_one = await http.post("/workshops", data={"program": "demo.toml"})
            bystanders.append(next_one.headers["location"].split("/")[2])
            http.cookies.clear()
            await _join(http, bystanders[-1], "Bystander")
            http.cookies.clear()
            await asyncio.sleep(0.4)  # the phones keep trying to come back, and to write
            stop.set()
            await asyncio.gather(*phones)
            assert "welcome" in seen  # the phones were in before the delete
            # Never back in memory: no page, no results, no socket.
            assert (await http.get(f"/f/{code}/{key}")).status_code == 404
            assert (await http.get(f"/f/{code}/{key}/results.json")).status_code == 404
            async with websockets.connect(
                server.url.replace("http", "ws") + "/ws",
                additional_headers={"cookie": f"samling_{code}={tokens[0]}"},
            ) as socket:
                await socket.send(json.dumps({"type": "hello", "room": code, "role": "participant"}))
                assert json.loads(await socket.recv())["code"] == "unknown_room"
    return deleted, bystanders


def test_a_deleted_workshop_never_comes_back_and_its_writes_land_nowhere(tmp_path: Path) -> None:
    with LiveServer(tmp_path, programs_folder(tmp_path, {"demo.toml": DEMO_PROGRAM})) as server:
        deleted, bystanders = run_async(_race(server))
    with sqlite3.connect(tmp_path / "samling.db") as db:
        rows = db.execute("SELECT id, code, deleted_at, program_text FROM workshop ORDER BY id").fetchall()
        by_code = {code: (wid, gone, text) for wid, code, gone, text in rows}
        assert len(rows) == 2 * ROUNDS  # every workshop its own id: none given out again
        for code in deleted:
            wid, gone, text = by_code[code]
            assert gone is not None and text == ""  # a tombstone
            assert db.execute("SELECT count(*) FROM command WHERE workshop_id = ?", (wid,)).fetchone() == (0,)
            assert db.execute("SELECT count(*) FROM snapshot WHERE workshop_id = ?", (wid,)).fetchone() == (
                0,
            )
        for code in bystanders:
            wid, gone, _ = by_code[code]
            assert gone is None
            bodies = [b for (b,) in db.execute("SELECT body FROM command WHERE workshop_id = ?", (wid,))]
            assert len(bodies) == 1 and "Bystander" in bodies[0]  # its own join, nothing else
