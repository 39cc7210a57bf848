"""The stored format: every record carries its version, older versions are upcast on
load, and a snapshot that cannot be read gives way to the whole history.

``formats/v1`` holds rows written by the server before formats had versions (commands
without ``"v"``, a snapshot that is the bare room with its program inside); it is never
regenerated.
"""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import text
from starlette.testclient import TestClient

from app.core.program import load_program_text
from app.core.room import Command
from app.core.serialize import (
    COMMANDS,
    SNAPSHOTS,
    UnknownFormat,
    command_from_json,
    command_to_json,
    room_from_json,
    room_to_json,
)
from app.main import create_app
from app.settings import Settings
from app.storage.history import HistoryError, restore
from app.storage.store import NewCommand, Store
from app.storage.tables import CommandRow, SnapshotRow
from tests.golden.scenarios import CODE, PROGRAM, PROGRAMS
from tests.golden.stored import GOLDEN, as_json, put, read_json, screens
from tests.golden.test_golden import restored
from tests.roomkit import hello

V1 = GOLDEN / "formats" / "v1"
HISTORY_LOG = "app.storage.history"


def _program() -> Any:
    return load_program_text((PROGRAMS / PROGRAM).read_text(encoding="utf-8"), source=PROGRAM)


# --- what is written now -----------------------------------------------------------------


def test_a_stored_command_carries_its_format_version(store: Store) -> None:
    put(store, GOLDEN / "comments")
    stored = store.load_room(CODE)
    assert stored is not None and stored.workshop.id is not None
    seq, cmd = stored.commands[-1]
    taken_now = replace(cmd, v=COMMANDS.version)  # a command the server accepts today
    store.append(stored.workshop.id, [NewCommand(seq + 1, taken_now, "again")])
    with store.engine.connect() as connection:
        body = connection.execute(
            text("SELECT body FROM command WHERE seq = :seq"), {"seq": seq + 1}
        ).scalar_one()
    assert json.loads(body)["v"] == COMMANDS.version == 3


def test_a_stored_snapshot_carries_its_version_and_leaves_the_program_to_the_workshop(store: Store) -> None:
    room = restored(store, GOLDEN / "roles")
    stored = store.load_room(CODE)
    assert stored is not None and stored.workshop.id is not None
    store.save_snapshot(stored.workshop.id, room.seq, room_to_json(room))
    with store.engine.connect() as connection:
        state = connection.execute(text("SELECT state FROM snapshot")).scalar_one()
    record = json.loads(state)
    assert record["v"] == SNAPSHOTS.version == 4
    assert record["room"]["seq"] == room.seq and "program" not in record["room"]
    assert room_from_json(state, _program()) == room


# --- what older servers wrote --------------------------------------------------------------


def test_commands_stored_without_a_version_are_read_as_version_1() -> None:
    rows = read_json(V1 / "history.json")["commands"]
    assert all("v" not in row["body"] for row in rows), "formats/v1 is from before versions"
    for row in rows:
        assert command_from_json(row["body"]) == command_from_json({**row["body"], "v": 1})


def test_a_version_1_snapshot_is_upcast_and_read_whole(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    snapshot = read_json(V1 / "snapshot.json")
    assert "v" not in snapshot["state"] and "program" in snapshot["state"], "a bare room: version 1"
    room = room_from_json(json.dumps(snapshot["state"]), _program())
    assert room.seq == snapshot["seq"]
    old = {key: value for key, value in snapshot["state"].items() if key != "program"}
    assert _kept(old, json.loads(room_to_json(room))["room"]), "the snapshot lost or changed something"
    with caplog.at_level(logging.WARNING, logger=HISTORY_LOG):
        loaded = restored(store, V1, snapshot)
    assert caplog.records == [], "the version 1 snapshot was set aside, not read"
    assert loaded.seq == len(read_json(V1 / "history.json")["commands"])


def _kept(old: Any, new: Any) -> bool:
    """Everything in ``old`` is in ``new``, the same (``new`` may hold fields added since)."""
    if isinstance(old, dict):
        return isinstance(new, dict) and all(
            key in new and _kept(value, new[key]) for key, value in old.items()
        )
    if isinstance(old, list):
        return isinstance(new, list) and len(old) == len(new) and all(map(_kept, old, new))
    return bool(old == new)


def test_upcasters_run_in_order_from_the_stored_version(monkeypatch: pytest.MonkeyPatch) -> None:
    """A test-only format 3 that renamed "at" to "when" in 2 and back in 3: each stored
    version gets exactly the steps after it, in order; a newer one is refused."""
    monkeypatch.setattr(COMMANDS, "version", 3)
    monkeypatch.setattr(COMMANDS, "upcasters", {})

    @COMMANDS.step(1)
    def _when(record: dict[str, Any]) -> dict[str, Any]:
        return {key if key != "at" else "when": value for key, value in record.items()}

    @COMMANDS.step(2)
    def _at(record: dict[str, Any]) -> dict[str, Any]:
        return {key if key != "when" else "at": value for key, value in record.items()}

    body = read_json(V1 / "history.json")["commands"][0]["body"]
    expected = command_from_json({**body, "v": 3})
    version_2 = {("when" if key == "at" else key): value for key, value in body.items()}
    # the same command, each remembering the version it was stored in (its rules)
    assert command_from_json(body) == replace(expected, v=1)  # no version: 1 -> 2 -> 3
    assert command_from_json({**version_2, "v": 2}) == replace(expected, v=2)  # 2 -> 3 only
    assert command_to_json(expected)["v"] == 3
    with pytest.raises(UnknownFormat, match="newer"):
        command_from_json({**body, "v": 4})


def test_a_command_todays_rules_refuse_is_named_without_its_content() -> None:
    body = read_json(GOLDEN / "igp" / "history.json")["commands"][-1]["body"]
    note = {
        **body,
        "actor": "p1",
        "action": {"type": "save_note", "exercise": "x", "text": "hemmelig " * 600},
    }
    with pytest.raises(UnknownFormat) as refused:
        command_from_json(note)
    assert "save_note" in str(refused.value) and "hemmelig" not in str(refused.value)


# --- a snapshot that cannot be read ----------------------------------------------------------


def _broken_snapshots() -> dict[str, bytes]:
    good = read_json(GOLDEN / "roles" / "snapshot.json")["state"]
    room = good["room"]
    return {
        "not JSON": b"\x00garbage",
        "cut short": json.dumps(good).encode()[:500],
        "from a newer server": json.dumps({"v": SNAPSHOTS.version + 1, "room": room}).encode(),
        "a shape no upcaster knows": json.dumps(
            {**good, "room": {**room, "participants": "Kari Nordmann er 52"}}
        ).encode(),
        "of another moment": json.dumps({**good, "room": {**room, "seq": room["seq"] - 1}}).encode(),
    }


@pytest.mark.parametrize("broken", list(_broken_snapshots()))
def test_a_snapshot_that_cannot_be_read_gives_way_to_the_whole_history(
    broken: str, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    folder = GOLDEN / "roles"
    seq = read_json(folder / "snapshot.json")["seq"]
    workshop_id = put(store, folder)
    with store.engine.begin() as connection:
        connection.execute(
            SnapshotRow.__table__.insert(),  # type: ignore[attr-defined]
            [{"workshop_id": workshop_id, "seq": seq, "state": _broken_snapshots()[broken]}],
        )
    stored = store.load_room(CODE)
    assert stored is not None and stored.snapshot is not None
    with caplog.at_level(logging.WARNING, logger=HISTORY_LOG):
        board, phones = screens(restore(store, stored))
    assert board == read_json(folder / "board.json")
    assert phones == read_json(folder / "views.json")
    [warning] = [r for r in caplog.records if r.name == HISTORY_LOG]
    message = warning.getMessage()
    assert warning.levelno == logging.WARNING and CODE in message and f"at {seq}" in message
    assert "Kari" not in message and "52" not in message and warning.exc_info is None


def test_without_its_history_a_broken_snapshot_stops_the_load(store: Store) -> None:
    folder = GOLDEN / "roles"
    workshop_id = put(store, folder)
    with store.engine.begin() as connection:
        connection.execute(CommandRow.__table__.delete())  # type: ignore[attr-defined]
        connection.execute(
            SnapshotRow.__table__.insert(),  # type: ignore[attr-defined]
            [{"workshop_id": workshop_id, "seq": 20, "state": b"{}"}],
        )
    stored = store.load_room(CODE)
    assert stored is not None
    with pytest.raises(HistoryError, match="cannot be read"):
        restore(store, stored)


def test_a_history_the_rules_now_refuse_stops_the_load_by_name(store: Store) -> None:
    folder = GOLDEN / "comments"
    put(store, folder)
    stored = store.load_room(CODE)
    assert stored is not None
    seq, last = stored.commands[-1]
    restore(store, replace(stored, commands=[*stored.commands, (seq + 1, last)]))  # hiding twice is allowed
    with pytest.raises(HistoryError, match="out of order"):
        restore(store, replace(stored, commands=[*stored.commands, (seq + 2, last)]))
    start = next(cmd for _, cmd in stored.commands if cmd.action.type == "start")
    join = Command(action=stored.commands[0][1].action, at=start.at, actor="system")
    with pytest.raises(HistoryError, match=r"\(join\) is refused on replay: already_joined"):
        restore(store, replace(stored, commands=[*stored.commands, (seq + 1, join)]))


# --- through the server -----------------------------------------------------------------------


@pytest.mark.parametrize("snapshot", ["none", "readable", "broken"])
def test_the_server_loads_a_stored_room_to_the_committed_screens(
    snapshot: str, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """The hub loads the golden rows (on SQLite and PostgreSQL) to the golden board."""
    folder = GOLDEN / "lists"
    store = Store(settings.database_url)
    row = read_json(folder / "snapshot.json")
    if snapshot == "broken":
        row = {**row, "state": {"v": 2, "room": {"seq": row["seq"]}}}
    put(store, folder, None if snapshot == "none" else row)
    store.close()
    with (
        caplog.at_level(logging.WARNING, logger=HISTORY_LOG),
        TestClient(create_app(settings)) as client,
        client.websocket_connect("/ws") as socket,
    ):
        state = hello(socket, CODE, "projector", "golden").wait_for("snapshot")["state"]
    state.pop("online")
    assert as_json(state) == read_json(folder / "board.json")["staff"]
    warned = [r for r in caplog.records if r.name == HISTORY_LOG]
    assert len(warned) == (1 if snapshot == "broken" else 0)


def test_the_storage_docs_describe_todays_versions() -> None:
    docs = (GOLDEN.parent.parent / "docs" / "storage.md").read_text(encoding="utf-8")
    assert f"## A command (`command.body`): version {COMMANDS.version}\n" in docs
    assert f"## A snapshot (`snapshot.state`): version {SNAPSHOTS.version}\n" in docs
    example = docs.split("```json\n", 1)[1].split("```", 1)[0]
    assert command_to_json(command_from_json(json.loads(example))) == json.loads(example)
