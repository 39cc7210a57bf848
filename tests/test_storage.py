"""The database: migrations build the same schema on SQLite and PostgreSQL, and the
history of a room keeps its order."""

from __future__ import annotations

import threading
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
