"""The database: migrations build the same schema on SQLite and PostgreSQL, and the
history of a room keeps its order."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from app.core.actions import Start
from app.core.room import FACILITATOR, Command
from app.storage import migrate
from app.storage.store import DuplicateSeq, NewCommand, Store
from app.storage.tables import Workshop


def test_the_migrations_build_exactly_the_tables_the_code_uses(database_url: str) -> None:
    store = Store(database_url)
    with store.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert differences == []
    from alembic.script import ScriptDirectory

    assert (
        migrate.current(store.engine)
        == ScriptDirectory.from_config(migrate.alembic_config()).get_current_head()
    )
    store.close()


def test_starting_again_migrates_nothing_and_keeps_the_data(database_url: str) -> None:
    store = Store(database_url)
    store.create_workshop(_workshop("ABCDEF"))
    store.close()
    again = Store(database_url)
    assert again.find_workshop("ABCDEF") is not None
    again.close()


def test_several_processes_starting_at_once_migrate_once(postgres_url: str) -> None:
    errors: list[BaseException] = []

    def start() -> None:
        try:
            Store(postgres_url).close()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_a_store_whose_migration_fails_leaves_no_connection_open(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server that cannot migrate (the database went away) stops without leaking one."""
    opened: list[Any] = []

    def failing(engine: Engine, revision: str = "head") -> None:
        with engine.connect() as connection:
            opened.append(connection.connection.dbapi_connection)
        raise RuntimeError("the database went away")

    monkeypatch.setattr(migrate, "upgrade", failing)
    with pytest.raises(RuntimeError, match="went away"):
        Store(postgres_url)
    assert opened and all(connection.closed for connection in opened)


def test_a_sequence_number_is_stored_once(database_url: str) -> None:
    store = Store(database_url)
    workshop = store.create_workshop(_workshop("GHJKLM"))
    assert workshop.id is not None
    cmd = Command(action=Start(), at=1_795_564_496_950, actor=FACILITATOR)
    store.append(workshop.id, [NewCommand(1, cmd, "key-1")])
    with pytest.raises(DuplicateSeq):
        store.append(workshop.id, [NewCommand(2, cmd, "key-2"), NewCommand(1, cmd, "key-3")])
    assert [seq for seq, _ in store.commands_after(workshop.id, 0)] == [1], "all or nothing"
    assert store.seqs_for_keys(workshop.id, [(FACILITATOR, "key-1"), (FACILITATOR, "key-3")]) == {
        (FACILITATOR, "key-1"): 1
    }
    store.append(workshop.id, [NewCommand(2, cmd, "key-2"), NewCommand(3, cmd, None)])
    assert [seq for seq, _ in store.commands_after(workshop.id, 0)] == [1, 2, 3]
    with pytest.raises(DuplicateSeq):
        store.append(workshop.id, [NewCommand(4, cmd, "key-1")])  # a resend of a stored message
    store.close()


def _workshop(code: str) -> Workshop:
    return Workshop(
        code=code,
        program_name="demo.toml",
        program_text='title = "x"',
        facilitator_key_hash="0" * 64,
        projector_key="p",
        created_at=1_795_564_496_950,
    )


def test_people_who_joined_before_the_door_kept_their_keys_get_back_in(settings: Any) -> None:
    """A database from before the door's keys (revision 0003): its open workshop's people
    (a join with its link, an older join whose link came later) and a closed workshop's
    take-home link open as before once the server has migrated it; a made-up cookie
    still loads nothing, and a deleted workshop got no keys."""
    import json

    from sqlmodel import Session, select
    from starlette.testclient import TestClient

    from app.core import codes
    from app.core.actions import Join, LinkWorkbook
    from app.core.privacy import results_only
    from app.core.program import load_program_text
    from app.core.room import SYSTEM, Room, apply
    from app.core.serialize import command_to_json, room_to_json
    from app.main import create_app
    from app.storage.store import make_engine
    from app.storage.tables import CommandRow, DoorKey, SnapshotRow
    from app.workshops import digest, joining, link_key, new_token
    from tests.roomkit import DEMO_PROGRAM

    engine = make_engine(settings.database_url)
    migrate.upgrade(engine, "0003")
    open_code, closed_code, deleted_code = codes.new_code(), codes.new_code(), codes.new_code()
    kari, ola, per = new_token(), new_token(), new_token()
    program = load_program_text(DEMO_PROGRAM, source="demo.toml")
    commands = [
        Command(action=joining("Kari", kari, open_code), at=1, actor=SYSTEM),
        Command(action=Join(name="Ola", token_hash=digest(ola)), at=2, actor=SYSTEM),  # no link yet
        Command(action=LinkWorkbook(key_hash=digest(link_key(ola, open_code))), at=3, actor="p2"),
    ]
    per_joins = Command(action=joining("Per", per, closed_code), at=1, actor=SYSTEM)
    closed, _ = apply(Room(code=closed_code, program=program), per_joins)
    with Session(engine) as session:
        rows = {}
        now = int(time.time() * 1000)  # closed today: not purged when the server starts
        states = ((open_code, None, None), (closed_code, now, None), (deleted_code, now, now))
        for code, closed_at, deleted_at in states:
            row = _workshop(code)
            row.program_text, row.closed_at, row.deleted_at = DEMO_PROGRAM, closed_at, deleted_at
            session.add(row)
            rows[code] = row
        session.commit()
        ids = {code: row.id for code, row in rows.items() if row.id is not None}
        for seq, cmd in enumerate(commands, start=1):
            body = json.dumps(command_to_json(cmd))
            for code in (open_code, deleted_code):
                session.add(CommandRow(workshop_id=ids[code], seq=seq, actor=cmd.actor, body=body))
        shared = results_only(closed)
        session.add(SnapshotRow(workshop_id=ids[closed_code], seq=shared.seq, state=room_to_json(shared)))
        session.commit()
    with TestClient(create_app(settings)) as client:
        hub = client.app.state.hub  # type: ignore[attr-defined]
        client.cookies.set(f"samling_{open_code}", "made-up")
        assert client.get(f"/r/{open_code}", follow_redirects=False).status_code == 303
        assert client.get(f"/w/{closed_code}/{'A' * 32}").status_code == 404
        assert hub.rooms == {}  # the door knew them wrong
        client.cookies.set(f"samling_{open_code}", kari)
        assert "Kari" in client.get(f"/r/{open_code}").text
        client.cookies.clear()
        assert client.get(f"/w/{open_code}/{link_key(ola, open_code)}").status_code == 200
        assert client.get(f"/w/{open_code}/{link_key(kari, open_code)}").status_code == 200
        assert "Per" in client.get(f"/w/{closed_code}/{link_key(per, closed_code)}").text
        with Session(client.app.state.store.engine) as session:  # type: ignore[attr-defined]
            kept = session.exec(select(DoorKey.workshop_id, DoorKey.kind)).all()
        assert sorted(kept) == sorted(
            [(ids[open_code], "token")] * 2 + [(ids[open_code], "link")] * 2 + [(ids[closed_code], "link")]
        )
    engine.dispose()


def test_a_write_at_once_is_done_only_where_nothing_can_make_it_wait(database_url: str) -> None:
    """``append_at_once`` (the event loop's write) stores on SQLite and declines, storing
    nothing, where it would wait: on PostgreSQL always (a round trip per statement), on
    SQLite while another connection holds the write lock (declined at once: that
    connection never sleeps in SQLite's busy wait), and when the write would restart the
    WAL after a checkpoint copied all of it (a new WAL's header is synced to disk). A
    declined write is then stored by ``append``, in a worker thread."""
    store = Store(database_url)
    workshop = store.create_workshop(_workshop("QWERTY"))
    assert workshop.id is not None
    wid = workshop.id

    def cmd(seq: int) -> list[NewCommand]:
        return [NewCommand(seq, Command(action=Start(), at=1_795_564_496_950 + seq, actor=FACILITATOR))]

    def stored() -> list[int]:
        return [seq for seq, _ in store.commands_after(wid, 0)]

    if not database_url.startswith("sqlite"):
        assert not store.append_at_once(wid, cmd(1)) and stored() == []
        store.close()
        return
    assert store.append_at_once(wid, cmd(1)) and stored() == [1]
    other = sqlite3.connect(Path(database_url.removeprefix("sqlite:///")), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another connection writes
    assert not store.append_at_once(wid, cmd(2))
    assert store._at_once is not None  # declined at once: SQLite's busy wait is off there
    assert store._at_once.connection.execute("PRAGMA busy_timeout").fetchone() == (0,)
    other.rollback()
    assert stored() == [1]
    _, frames, copied = other.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    assert frames == copied > 0, "another connection copied the whole WAL into the database"
    assert not store.append_at_once(wid, cmd(2)), "the WAL was copied: this write would restart it"
    assert stored() == [1]
    store.append(wid, cmd(2))  # in a worker thread: restarts the WAL
    assert store.append_at_once(wid, cmd(3)) and stored() == [1, 2, 3]
    other.close()
    store.close()


def test_writes_at_once_never_checkpoint_the_wal(tmp_path: Path) -> None:
    """A checkpoint copies the WAL into the database and syncs both to disk: never on the
    event loop. Writes at once keep appending to the WAL past SQLite's 1,000-page
    checkpoint (each is still taken at once, but for every AT_ONCE_TURNS-th, left to a
    worker thread, whose connection checkpoints)."""
    from app.storage.store import AT_ONCE_TURNS

    store = Store(f"sqlite:///{tmp_path / 'samling.db'}")
    workshop = store.create_workshop(_workshop("ZXCVBN"))
    assert workshop.id is not None
    attempts, seq = 2_000, 0
    for _ in range(attempts):
        cmd = Command(action=Start(), at=1_795_564_496_950 + seq, actor=FACILITATOR)
        seq += store.append_at_once(workshop.id, [NewCommand(seq + 1, cmd, f"key-{seq + 1}")])
    assert seq == attempts - attempts // AT_ONCE_TURNS
    with sqlite3.connect(tmp_path / "samling.db") as db:
        frames = db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1]
    assert frames > 1_000, "the WAL grew past SQLite's checkpoint without one"
    store.close()
