"""Logs hold no secret and no participant content: a real server's whole log (access log
included) after a day with ages, notes and a storage failure names none of them."""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
from pathlib import Path

import httpx
import pytest
import websockets

from app.web.logs import mask
from tests.liveserver import LiveServer, code_and_key, programs_folder, token_of
from tests.phoneclient import run_async
from tests.test_workshop_lifecycle import ROLES_PROGRAM

pytestmark = [pytest.mark.server, pytest.mark.timeout(120)]

NOTE = "Mitt hemmelige notat 4711"
NOTE_DURING_FAILURE = "Skrevet mens databasen var borte 8812"
AGES = (97, 23)


class Screen:
    def __init__(self, socket: websockets.ClientConnection) -> None:
        self.socket, self.ids = socket, 0

    async def act(self, action: dict[str, object]) -> dict[str, object]:
        self.ids += 1
        message_id = f"m{self.ids}"
        await self.socket.send(json.dumps({"type": "action", "id": message_id, "action": action}))
        while True:
            answer: dict[str, object] = json.loads(await asyncio.wait_for(self.socket.recv(), 10))
            if answer.get("id") == message_id:
                return answer


async def _hello(url: str, code: str, role: str, key: str | None = None, cookie: str | None = None) -> Screen:
    headers = {"cookie": cookie} if cookie else {}
    socket = await websockets.connect(url.replace("http", "ws") + "/ws", additional_headers=headers)
    hello: dict[str, object] = {"type": "hello", "room": code, "role": role}
    if key:
        hello["key"] = key
    await socket.send(json.dumps(hello))
    assert json.loads(await socket.recv())["type"] == "welcome"
    return Screen(socket)


async def _day(server: LiveServer, db: Path) -> tuple[str, str, list[str]]:
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
        code, key = code_and_key(await http.post("/workshops", data={"program": "roles.toml"}))
        page = await http.get(f"/f/{code}/{key}")
        projector_key = re.search(rf"/s/{code}/([^\"/]+)", page.text).group(1)  # type: ignore[union-attr]
        staff = (f"/s/{code}/{projector_key}", f"/f/{code}/{key}/results", f"/f/{code}/{key}/results.csv")
        for path in staff:
            assert (await http.get(path)).status_code == 200
        tokens = []
        for name in ("Kari", "Ola"):
            http.cookies.clear()
            tokens.append(token_of(await http.post("/join", data={"code": code, "name": name}), code))
        facilitator = await _hello(server.url, code, "facilitator", key)
        phones = [await _hello(server.url, code, "participant", cookie=f"samling_{code}={t}") for t in tokens]
        acks = [
            await facilitator.act({"type": "form_groups", "mode": "count", "value": 1}),
            await facilitator.act({"type": "start"}),
            await phones[0].act({"type": "save_note", "exercise": "verdier", "text": NOTE}),
        ]
        for phone, age in zip(phones, AGES, strict=True):
            acks.append(await phone.act({"type": "roles_answer", "exercise": "verdier", "age": age}))
        assert [a["type"] for a in acks] == ["ack"] * 5
        # The database refuses every write for a while.
        with sqlite3.connect(db) as connection:
            connection.execute("ALTER TABLE command RENAME TO command_away")
        note: dict[str, object] = {"type": "save_note", "exercise": "verdier", "text": NOTE_DURING_FAILURE}
        failed = await phones[1].act(note)
        assert failed["code"] == "storage_unavailable"
        with sqlite3.connect(db) as connection:
            connection.execute("ALTER TABLE command_away RENAME TO command")
        for screen in (facilitator, *phones):
            await screen.socket.close()
        return code, key, [projector_key, *tokens]


def test_a_whole_day_with_a_storage_failure_logs_no_secret_and_no_answer(tmp_path: Path) -> None:
    server = LiveServer(tmp_path, programs_folder(tmp_path, {"roles.toml": ROLES_PROGRAM}))
    server.log_level = "info"
    with server:
        code, key, secrets = run_async(_day(server, tmp_path / "samling.db"))
    log = (tmp_path / "server.log").read_text(encoding="utf-8")
    assert f"/f/{code}/… HTTP/1.1" in log  # the access log is there, with the key masked
    assert "save_note" in log  # the failed write is logged, by its action type
    for secret in (key, *secrets, NOTE, NOTE_DURING_FAILURE, "hemmelige", "databasen"):
        assert secret not in log, secret
    for age in AGES:
        assert not re.search(rf"age\W{{0,4}}{age}\b", log), age


def test_the_access_log_masks_the_key_in_every_staff_path() -> None:
    assert mask("/f/K7MXPR/abcDEF_12-x") == "/f/K7MXPR/…"
    assert mask("/f/K7MXPR/abcDEF/results.csv") == "/f/K7MXPR/…/results.csv"
    assert mask("/s/K7MXPR/abc/wordcloud/ordsky.png?v=3") == "/s/K7MXPR/…/wordcloud/ordsky.png?v=3"
    assert mask("/r/K7MXPR") == "/r/K7MXPR"
    assert mask("/j/K7MXPR") == "/j/K7MXPR"
