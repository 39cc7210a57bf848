"""The one place that talks to the database.

Every method is synchronous and short; the realtime layer calls them in a worker thread
so the event loop keeps serving phones while SQLite or PostgreSQL writes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, event, insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, create_engine, select

from app.core.room import Command
from app.core.serialize import command_from_json, command_to_json
from app.storage import migrate
from app.storage.tables import CommandRow, SnapshotRow, Workshop


class DuplicateSeq(Exception):
    """Another writer stored this sequence number (or idempotency key) first."""


@dataclass(frozen=True)
class NewCommand:
    """A command to store: its place in the room's order, and the client's message id
    when it came from a screen (a resend with the same id is then stored only once)."""

    seq: int
    cmd: Command
    idempotency_key: str | None = None


@dataclass(frozen=True)
class StoredRoom:
    workshop: Workshop
    snapshot: bytes | None
    snapshot_seq: int
    commands: list[tuple[int, Command]]


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    # WAL lets readers go on while a command is written; NORMAL sync is durable across an
    # application crash, which is the failure a workshop laptop sees.
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def engine_url(url: str) -> str:
    """``postgresql://`` means the maintained psycopg 3 driver (SQLAlchemy would pick psycopg2)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str) -> Engine:
    url = engine_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    return engine


class Store:
    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)
        migrate.upgrade(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    # --- workshops ---------------------------------------------------------------

    def create_workshop(self, workshop: Workshop) -> Workshop:
        with Session(self.engine) as session:
            session.add(workshop)
            session.commit()
            session.refresh(workshop)
            return workshop

    def find_workshop(self, code: str) -> Workshop | None:
        with Session(self.engine) as session:
            return session.exec(select(Workshop).where(Workshop.code == code)).first()

    def close_workshop(self, code: str, at: int) -> None:
        """Closed: its code no longer opens the room; its results stay until purged."""
        with Session(self.engine) as session:
            workshop = session.exec(select(Workshop).where(Workshop.code == code)).first()
            if workshop is not None and workshop.closed_at is None:
                workshop.closed_at = at
                session.add(workshop)
                session.commit()

    def delete_workshop(self, code: str) -> bool:
        """Delete a workshop with all its data: history, snapshots, notes, answers."""
        with Session(self.engine) as session:
            workshop = session.exec(select(Workshop).where(Workshop.code == code)).first()
            if workshop is None:
                return False
            session.execute(delete(CommandRow).where(CommandRow.workshop_id == workshop.id))  # type: ignore[arg-type]
            session.execute(delete(SnapshotRow).where(SnapshotRow.workshop_id == workshop.id))  # type: ignore[arg-type]
            session.delete(workshop)
            session.commit()
            return True

    def purge_closed(self, closed_before: int) -> list[str]:
        """Delete every workshop closed before ``closed_before`` (epoch ms); their codes."""
        with Session(self.engine) as session:
            codes = session.exec(
                select(Workshop.code).where(
                    Workshop.closed_at.is_not(None),  # type: ignore[union-attr]
                    Workshop.closed_at < closed_before,  # type: ignore[operator]
                )
            ).all()
        for code in codes:
            self.delete_workshop(code)
        return list(codes)

    def code_in_use(self, code: str) -> bool:
        return self.find_workshop(code) is not None

    # --- history -----------------------------------------------------------------

    def append(self, workshop_id: int, commands: Sequence[NewCommand]) -> None:
        """Store accepted commands in one transaction: all of them or none.

        Raises :class:`DuplicateSeq` when one's sequence number or idempotency key is
        taken already (another process was first, or it is a resend)."""
        rows = [
            {
                "workshop_id": workshop_id,
                "seq": new.seq,
                "actor": new.cmd.actor,
                "idempotency_key": new.idempotency_key,
                "body": json.dumps(command_to_json(new.cmd), ensure_ascii=False),
            }
            for new in commands
        ]
        try:
            with self.engine.begin() as connection:
                connection.execute(insert(CommandRow), rows)
        except IntegrityError as exc:
            raise DuplicateSeq(str(exc)) from None

    def seqs_for_keys(self, workshop_id: int, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], int]:
        """The sequence numbers of stored commands by (actor, idempotency key)."""
        if not keys:
            return {}
        wanted = set(keys)
        with Session(self.engine) as session:
            rows = session.exec(
                select(CommandRow.actor, CommandRow.idempotency_key, CommandRow.seq).where(
                    CommandRow.workshop_id == workshop_id,
                    CommandRow.idempotency_key.in_({key for _, key in wanted}),  # type: ignore[union-attr]
                )
            ).all()
        return {(actor, key): seq for actor, key, seq in rows if key is not None and (actor, key) in wanted}

    def commands_after(self, workshop_id: int, seq: int) -> list[tuple[int, Command]]:
        with Session(self.engine) as session:
            rows = session.exec(
                select(CommandRow)
                .where(CommandRow.workshop_id == workshop_id, CommandRow.seq > seq)
                .order_by(CommandRow.seq)  # type: ignore[arg-type]
            ).all()
            return [(row.seq, command_from_json(json.loads(row.body))) for row in rows]

    def save_snapshot(self, workshop_id: int, seq: int, state: bytes) -> None:
        with Session(self.engine) as session:
            row = session.get(SnapshotRow, workshop_id)
            if row is None:
                session.add(SnapshotRow(workshop_id=workshop_id, seq=seq, state=state))
            elif row.seq < seq:
                row.seq, row.state = seq, state
                session.add(row)
            session.commit()

    def load_room(self, code: str) -> StoredRoom | None:
        workshop = self.find_workshop(code)
        if workshop is None or workshop.id is None:
            return None
        with Session(self.engine) as session:
            snap = session.get(SnapshotRow, workshop.id)
        snapshot_seq = snap.seq if snap else 0
        return StoredRoom(
            workshop=workshop,
            snapshot=snap.state if snap else None,
            snapshot_seq=snapshot_seq,
            commands=self.commands_after(workshop.id, snapshot_seq),
        )
