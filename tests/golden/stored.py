"""Golden rooms on disk: what the database holds for a room, and what its screens show.

A golden folder holds, for one stored room:

- ``history.json``: the workshop row (its program named by file in ``programs/``) and
  every command row as the ``command`` table holds it (``body`` parsed, for reading);
- ``snapshot.json``: a snapshot row from the middle of the day (``state`` parsed);
- ``board.json``: what the staff screens show after the whole history (the facilitator's
  snapshot; the projector's is the same) and the day's results;
- ``views.json``: every phone's snapshot, by participant id (without what every screen
  shares with the staff: the room, the agenda and the position, in ``board.json``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text

from app.core import views
from app.core.room import SYSTEM, Room
from app.core.serialize import room_to_json
from app.storage.store import NewCommand, Store
from app.storage.tables import CommandRow, SnapshotRow, Workshop
from tests.golden.scenarios import PROGRAMS, Script

GOLDEN = Path(__file__).parent


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def as_json(data: Any) -> Any:
    """What a screen receives: tuples become lists, number keys become strings."""
    return json.loads(json.dumps(data, ensure_ascii=False))


def _workshop(meta: dict[str, Any]) -> Workshop:
    return Workshop(
        code=meta["code"],
        program_name=meta["program_name"],
        program_text=(PROGRAMS / meta["program_name"]).read_text(encoding="utf-8"),
        facilitator_key_hash="0" * 64,
        projector_key="golden",
        time_scale=meta["time_scale"],
        created_at=meta["created_at"],
    )


def put(store: Store, folder: Path, snapshot: dict[str, Any] | None = None) -> int:
    """Store a golden room's rows as they are (no re-encoding); the workshop's id."""
    history = read_json(folder / "history.json")
    workshop = store.create_workshop(_workshop(history["workshop"]))
    assert workshop.id is not None
    rows = [
        {**row, "workshop_id": workshop.id, "body": json.dumps(row["body"], ensure_ascii=False)}
        for row in history["commands"]
    ]
    with store.engine.begin() as connection:
        connection.execute(insert(CommandRow), rows)
        if snapshot is not None:
            state = json.dumps(snapshot["state"], ensure_ascii=False).encode()
            connection.execute(
                insert(SnapshotRow), [{"workshop_id": workshop.id, "seq": snapshot["seq"], "state": state}]
            )
    return workshop.id


SHARED = ("room", "agenda", "position")  # the same on every screen: kept once, in the board


def screens(room: Room) -> tuple[dict[str, Any], dict[str, Any]]:
    """(board, views): the staff screens and the day's results, and every phone's own
    part of its snapshot (what it shares with the staff is checked to be the same)."""
    staff = views.snapshot(room, "facilitator")
    board = {"staff": staff, "results": views.results(room)}
    phones = {}
    for pid in room.participants:
        phone = views.snapshot(room, "participant", pid)
        assert {key: phone[key] for key in SHARED} == {key: staff[key] for key in SHARED}, pid
        phones[pid] = {key: value for key, value in phone.items() if key not in SHARED}
    return as_json(board), as_json(phones)


def record(script: Script, store: Store, folder: Path) -> None:
    """Write ``history.json`` and ``snapshot.json`` as this server stores the script's room."""
    meta = {"code": script.room.code, "program_name": script.program_name, "time_scale": 1.0}
    meta["created_at"] = script.commands[0].at - 600_000
    workshop = store.create_workshop(_workshop(meta))
    assert workshop.id is not None
    store.append(
        workshop.id,
        [
            NewCommand(seq, cmd, None if cmd.actor == SYSTEM else f"m{seq}")
            for seq, cmd in enumerate(script.commands, start=1)
        ],
    )
    with store.engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT seq, actor, idempotency_key, body FROM command WHERE workshop_id = :id ORDER BY seq"
            ),
            {"id": workshop.id},
        ).all()
    commands = [
        {"seq": seq, "actor": actor, "idempotency_key": key, "body": json.loads(body)}
        for seq, actor, key, body in rows
    ]
    write_json(folder / "history.json", {"workshop": meta, "commands": commands})
    write_json(folder / "snapshot.json", snapshot_of(script, len(script.commands) * 2 // 3))


def snapshot_of(script: Script, seq: int) -> dict[str, Any]:
    """The snapshot row this server stores for the script's room after ``seq`` commands."""
    from app.core.room import apply

    room = Room(code=script.room.code, program=script.room.program, time_scale=script.room.time_scale)
    for cmd in script.commands[:seq]:
        room, _ = apply(room, cmd)
    return {"seq": seq, "state": json.loads(room_to_json(room))}


def differences(actual: Any, golden: Any, where: str = "", most: int = 12) -> list[str]:
    """Where ``actual`` differs from ``golden``, as paths (``staff.position.timer.ends_at``)."""
    out: list[str] = []
    if isinstance(actual, dict) and isinstance(golden, dict):
        for key in [*golden, *(k for k in actual if k not in golden)]:
            path = f"{where}.{key}" if where else str(key)
            if key not in actual:
                out.append(f"{path}: gone")
            elif key not in golden:
                out.append(f"{path}: new")
            else:
                out += differences(actual[key], golden[key], path, most)
            if len(out) >= most:
                break
    elif isinstance(actual, list) and isinstance(golden, list) and len(actual) == len(golden):
        for index, (a, g) in enumerate(zip(actual, golden, strict=True)):
            out += differences(a, g, f"{where}[{index}]", most)
            if len(out) >= most:
                break
    elif actual != golden:
        was, now = (json.dumps(value, ensure_ascii=False)[:60] for value in (golden, actual))
        out.append(f"{where}: {was} -> {now}")
    return out[:most]
