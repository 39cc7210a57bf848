"""The one place that talks to the database.

Every method is synchronous and short; the realtime layer calls them in a worker thread
so the event loop keeps serving phones while SQLite or PostgreSQL writes. One exception:
``append_at_once`` stores a room's commands on the caller's thread (the event loop) when
that cannot wait on anything, on SQLite only; see there.
"""

from __future__ import annotations

import json
import mmap
import os
import sqlite3
import struct
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import reduce
from typing import Any

from sqlalchemy import delete, event, insert, update
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlmodel import Session, create_engine, select

from app.core.keys import NO_CHANGE, TOKEN, KeyChanges
from app.core.room import Command
from app.core.serialize import command_from_json, command_to_json
from app.storage import migrate
from app.storage.tables import CommandRow, DoorKey, SnapshotRow, Workshop


class DuplicateSeq(Exception):
    """Another writer stored this sequence number (or idempotency key) first."""


class StorageError(Exception):
    """The database refused or could not be reached. The message names the failure's
    type only: never a command's fields (notes, ages), which must not reach a log."""


class Resent(Exception):
    """Some of the message ids looked up with an append were stored before: nothing was
    written, and ``known`` holds their numbers."""

    def __init__(self, known: dict[tuple[str, str], int]) -> None:
        super().__init__(f"{len(known)} message ids stored before")
        self.known = known


class WorkshopGone(StorageError):
    """The workshop was closed or deleted: nothing more is written to it."""


@dataclass(frozen=True)
class NewCommand:
    """A command to store: its place in the room's order, the client's message id when
    it came from a screen (a resend with the same id is then stored only once), and the
    keys it gave someone or took away (``app.core.keys.changed``), kept at the door."""

    seq: int
    cmd: Command
    idempotency_key: str | None = None
    keys: KeyChanges = NO_CHANGE


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


# Every AT_ONCE_TURNS-th append goes through a worker thread even when it could be stored at
# once: the connection of ``append_at_once`` never checkpoints (a checkpoint syncs the files
# to disk), the engine's connections do when their commit finds the WAL past 1,000 pages
# (SQLite's wal_autocheckpoint), so the WAL stays near that size (a join writes a few pages).
AT_ONCE_TURNS = 64
# The WAL-index (the -shm file, https://sqlite.org/walformat.html, shared by every process
# and SQLite version that opens the database): the last frame in the WAL (mxFrame, in the
# first copy of its header) and the last one a checkpoint copied into the database (nBackfill).
FRAME, WAL_LAST_FRAME, WAL_BACKFILLED = struct.Struct("=I"), 16, 96


class _AtOnce:
    """SQLite's connection for writes that must not wait: the event loop's. It never waits
    for a lock (busy_timeout 0: another connection writing is SQLITE_BUSY at once), never
    checkpoints (wal_autocheckpoint 0), and ``begin`` refuses a write that would restart
    the WAL: the first frame written after a checkpoint copied every frame (or into a new
    WAL) writes the WAL's header and syncs it, even with synchronous=NORMAL, and nothing
    else a commit does in WAL mode syncs."""

    def __init__(self, path: str) -> None:
        self.connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        _sqlite_pragmas(self.connection, None)  # at startup, waiting for a lock if need be
        self.connection.execute("SELECT 1 FROM workshop LIMIT 1").fetchall()  # opens the WAL-index
        self.connection.execute("PRAGMA wal_autocheckpoint=0")
        self.connection.execute("PRAGMA busy_timeout=0")
        self._index: mmap.mmap | None = None
        if os.path.exists(path + "-shm"):
            with open(path + "-shm", "rb") as shm:
                self._index = mmap.mmap(shm.fileno(), 136, access=mmap.ACCESS_READ)
        self.lock = threading.Lock()  # one transaction at a time, whoever calls
        self.turn = 0

    def begin(self) -> bool:
        """Hold the write lock (SQLITE_BUSY when another connection writes), or False and
        nothing held: this write would restart the WAL. While this transaction holds the
        write lock the WAL's last frame stays put; SQLite restarts the WAL only in a write
        whose transaction began with every frame copied (and writes a new WAL's header at
        frame 0), so with a frame not yet copied this one appends to the WAL, unsynced."""
        if self._index is None:
            return False
        self.connection.execute("BEGIN IMMEDIATE")  # SQLITE_BUSY at once, see append_at_once
        (frame,) = FRAME.unpack_from(self._index, WAL_LAST_FRAME)
        (backfilled,) = FRAME.unpack_from(self._index, WAL_BACKFILLED)
        if backfilled < frame:
            return True
        self.connection.rollback()
        return False

    def close(self) -> None:
        if self._index is not None:
            self._index.close()
        self.connection.close()


def _busy(exc: sqlite3.Error) -> bool:
    """SQLITE_BUSY or SQLITE_LOCKED (extended codes too): another connection holds a lock."""
    return getattr(exc, "sqlite_errorcode", 0) & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def _at_once(url: str) -> _AtOnce | None:
    """The loop's connection for a SQLite database in a file; None for PostgreSQL (every
    statement a network round trip) and for SQLite in memory (one database per connection)."""
    parsed = make_url(engine_url(url))
    path = parsed.database
    if parsed.get_backend_name() != "sqlite" or not path or path == ":memory:" or parsed.query:
        return None
    at_once = _AtOnce(path)
    if at_once.connection.execute("PRAGMA journal_mode").fetchone() == ("wal",):
        return at_once
    at_once.close()  # a file system without WAL (no shared memory): every write in a thread
    return None


def engine_url(url: str) -> str:
    """``postgresql://`` means the maintained psycopg 3 driver (SQLAlchemy would pick psycopg2)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str) -> Engine:
    url = engine_url(url)
    # hide_parameters: an error message never carries the values written (a note, an age).
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False}, hide_parameters=True)
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, pool_pre_ping=True, hide_parameters=True)
    return engine


# Store.append's two statements, in the driver's own SQL (see there).
STILL_OPEN = "UPDATE workshop SET written_at = ? WHERE id = ? AND closed_at IS NULL AND deleted_at IS NULL"
INSERT_COMMANDS = (
    "INSERT INTO command (workshop_id, seq, actor, idempotency_key, body) VALUES (?, ?, ?, ?, ?)"
)
# A key stored twice (the migration's rows, another process) is the same key.
INSERT_KEYS = "INSERT INTO door_key (workshop_id, kind, hash) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"
DELETE_KEYS = "DELETE FROM door_key WHERE workshop_id = ? AND kind = ? AND hash = ?"
# Actor and key both in the lookup: the unique index (workshop, actor, key) finds each
# row without reading the room's whole history. {actors} and {keys}: one ? each.
SEQS_FOR_KEYS = (
    "SELECT actor, idempotency_key, seq FROM command"
    " WHERE workshop_id = ? AND actor IN ({actors}) AND idempotency_key IN ({keys})"
)

# A workshop that is neither closed nor deleted: the only kind that takes writes.
OPEN = (Workshop.closed_at.is_(None), Workshop.deleted_at.is_(None))  # type: ignore[union-attr]


def _kind(exc: Exception) -> str:
    """What went wrong, by type only (a driver's message may quote the row it refused)."""
    original = getattr(exc, "orig", None)
    return type(original if original is not None else exc).__name__


def _lock(connection: Connection, workshop_id: int, where: tuple[Any, ...]) -> bool:
    """Hold the workshop's row for this transaction, if it is in the state ``where`` says:
    a close or a delete waits for the transaction, and the transaction sees it if first."""
    held = connection.execute(
        update(Workshop)
        .where(Workshop.id == workshop_id, *where)  # type: ignore[arg-type]
        .values(written_at=Workshop.written_at)
    )
    return held.rowcount == 1


def _put_snapshot(
    connection: Connection, workshop_id: int, seq: int, state: bytes, *, newer_only: bool
) -> None:
    table = SnapshotRow.__table__  # type: ignore[attr-defined]
    stored = connection.execute(select(table.c.seq).where(table.c.workshop_id == workshop_id)).first()
    if stored is None:
        connection.execute(insert(table).values(workshop_id=workshop_id, seq=seq, state=state))
    elif not newer_only or stored.seq < seq:
        same = table.c.workshop_id == workshop_id
        connection.execute(update(table).where(same).values(seq=seq, state=state))


class Store:
    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)
        try:
            migrate.upgrade(self.engine)
        except BaseException:  # a database that fails while migrating keeps no connection open
            self.engine.dispose()
            raise
        qmark = self.engine.dialect.paramstyle == "qmark"  # SQLite's ?, else psycopg's %s
        self._still_open = STILL_OPEN if qmark else STILL_OPEN.replace("?", "%s")
        self._insert_commands = INSERT_COMMANDS if qmark else INSERT_COMMANDS.replace("?", "%s")
        self._insert_keys = INSERT_KEYS if qmark else INSERT_KEYS.replace("?", "%s")
        self._delete_keys = DELETE_KEYS if qmark else DELETE_KEYS.replace("?", "%s")
        self._mark = "?" if qmark else "%s"
        self._seqs_for_keys_sql = SEQS_FOR_KEYS if qmark else SEQS_FOR_KEYS.replace("?", "%s")
        dbapi = self.engine.dialect.loaded_dbapi  # the driver's errors, raised by its own cursor
        self._taken: type[Exception] = dbapi.IntegrityError
        self._driver_error: type[Exception] = dbapi.Error
        self._at_once = _at_once(url)  # see append_at_once

    def close(self) -> None:
        if self._at_once is not None:
            self._at_once.close()
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

    def close_workshop(self, code: str, at: int) -> bool:
        """Closed: the room is read-only (the facilitator keeps the results and can delete
        it); False if it was closed or deleted already. The update waits for a write in
        progress and every later write is refused (``append``), so the history is final."""
        with self.engine.begin() as connection:
            closed = connection.execute(
                update(Workshop)
                .where(Workshop.code == code, *OPEN)  # type: ignore[arg-type]
                .values(closed_at=at)
                .returning(Workshop.__table__.c.id)  # type: ignore[attr-defined]
            ).first()
            if closed is None:
                return False
            # The phones' tokens open nothing any more; the take-home links stay.
            tokens = (DoorKey.workshop_id == closed.id, DoorKey.kind == TOKEN)
            connection.execute(delete(DoorKey).where(*tokens))  # type: ignore[arg-type]
            return True

    def keep_results_only(self, workshop_id: int, seq: int, state: bytes) -> None:
        """A closed workshop keeps one snapshot of its shared results (private answers
        taken out by the caller) and no history: the commands held notes and ages."""
        closed = (Workshop.closed_at.is_not(None), Workshop.deleted_at.is_(None))  # type: ignore[union-attr]

        with self.engine.begin() as connection:
            if not _lock(connection, workshop_id, closed):
                return
            connection.execute(delete(CommandRow).where(CommandRow.workshop_id == workshop_id))  # type: ignore[arg-type]
            _put_snapshot(connection, workshop_id, seq, state, newer_only=False)

    def closed_with_history(self) -> list[str]:
        """Codes of closed workshops whose history is still stored (closing was cut short)."""
        with Session(self.engine) as session:
            return list(
                session.exec(
                    select(Workshop.code)
                    .where(Workshop.closed_at.is_not(None), Workshop.deleted_at.is_(None))  # type: ignore[union-attr]
                    .where(select(CommandRow.id).where(CommandRow.workshop_id == Workshop.id).exists())
                ).all()
            )

    def delete_workshop(self, code: str, at: int) -> bool:
        """Delete a workshop with all its data (history, snapshots, notes, answers), at
        once. Its row stays as a tombstone without secrets or content: the id and the code
        are never given out again, and a process that still holds the room cannot write."""
        with self.engine.begin() as connection:
            deleted = connection.execute(
                update(Workshop)
                .where(Workshop.code == code, Workshop.deleted_at.is_(None))  # type: ignore[arg-type, union-attr]
                .values(deleted_at=at, program_text="", facilitator_key_hash="", projector_key="")
                .returning(Workshop.__table__.c.id)  # type: ignore[attr-defined]
            ).first()
            if deleted is None:
                return False
            connection.execute(delete(CommandRow).where(CommandRow.workshop_id == deleted.id))
            connection.execute(delete(SnapshotRow).where(SnapshotRow.workshop_id == deleted.id))
            connection.execute(delete(DoorKey).where(DoorKey.workshop_id == deleted.id))
            return True

    def purge_closed(self, closed_before: int, at: int) -> list[str]:
        """Delete every workshop closed before ``closed_before`` (epoch ms); their codes."""
        with Session(self.engine) as session:
            codes = session.exec(
                select(Workshop.code).where(
                    Workshop.closed_at.is_not(None),  # type: ignore[union-attr]
                    Workshop.closed_at < closed_before,  # type: ignore[operator]
                    Workshop.deleted_at.is_(None),  # type: ignore[union-attr]
                )
            ).all()
        return [code for code in codes if self.delete_workshop(code, at)]

    def gone_among(self, workshop_ids: Sequence[int]) -> set[int]:
        """Which of these workshops are closed or deleted (or were never stored)."""
        if not workshop_ids:
            return set()
        with Session(self.engine) as session:
            live = session.exec(
                select(Workshop.id).where(
                    Workshop.id.in_(workshop_ids),  # type: ignore[union-attr]
                    *OPEN,
                )
            ).all()
        return set(workshop_ids) - set(live)

    def holds_key(self, workshop_id: int, kind: str, secret_hash: str) -> bool:
        """Whether this token or link hash opens the workshop for someone (checked at the
        door, without loading the room)."""
        with self.engine.connect() as connection:
            found = connection.execute(
                select(DoorKey.hash).where(
                    DoorKey.workshop_id == workshop_id, DoorKey.kind == kind, DoorKey.hash == secret_hash
                )
            ).first()
        return found is not None

    def code_in_use(self, code: str) -> bool:
        """A code is never given out twice, not even once its workshop is deleted."""
        return self.find_workshop(code) is not None

    # --- history -----------------------------------------------------------------

    def append(
        self, workshop_id: int, commands: Sequence[NewCommand], resends: Sequence[tuple[str, str]] = ()
    ) -> None:
        """Store accepted commands in one transaction: all of them or none.

        ``resends`` are (actor, message id) pairs that may have been stored before (any
        the writer has not seen): looked up first, in the same transaction, and when one
        was, nothing is written and :class:`Resent` says their numbers. Raises
        :class:`DuplicateSeq` when one's sequence number or idempotency key is taken
        already (another process was first), and :class:`WorkshopGone` once the workshop
        is closed or deleted: the guard is an update of the workshop's row in the same
        transaction, so a close or a delete waits for this write, and no write comes
        after it. The keys the commands gave or took away are written in the same
        transaction: a person is let in at the door once their join is stored."""
        # The driver's own SQL on the driver's own cursor: this runs for every batch of
        # every room, in a worker thread that competes with the event loop for the GIL
        # (SQLAlchemy's statements cost 0.4 ms of Python per batch, its exec_driver_sql
        # 0.17 ms, the cursor alone less: 84 against 104 us per one-join batch in all).
        try:
            with self.engine.begin() as connection:
                cursor = connection.connection.cursor()
                try:
                    self._write_commands(cursor, workshop_id, commands, resends)
                finally:
                    cursor.close()
        except (IntegrityError, self._taken):
            raise DuplicateSeq(f"workshop {workshop_id}: a sequence number or message id is taken") from None
        except (SQLAlchemyError, self._driver_error) as exc:
            raise StorageError(f"workshop {workshop_id}: commands not stored ({_kind(exc)})") from None

    def append_at_once(
        self, workshop_id: int, commands: Sequence[NewCommand], resends: Sequence[tuple[str, str]] = ()
    ) -> bool:
        """``append`` on the caller's thread, when it cannot wait on anything: True once
        stored (or raises as ``append`` does); False when nothing was written and the
        caller should ``append`` in a worker thread. For the event loop: a join's append
        takes some 75 us on SQLite, the hop to a worker thread and back more than that.

        Only SQLite in a file: PostgreSQL is a network round trip per statement. Not when
        another connection holds the write lock (a snapshot, another room, the purge: their
        busy wait would sleep on the loop), not when the write would restart the WAL (its
        header is synced), and not every ``AT_ONCE_TURNS``-th time (the worker thread's
        connection checkpoints the WAL, which syncs, when it has grown: see there)."""
        at_once = self._at_once
        if at_once is None or not at_once.lock.acquire(blocking=False):
            return False
        try:
            at_once.turn = (at_once.turn + 1) % AT_ONCE_TURNS
            if at_once.turn == 0:
                return False
            connection = at_once.connection
            try:
                if not at_once.begin():
                    return False
                cursor = connection.cursor()
                try:
                    self._write_commands(cursor, workshop_id, commands, resends)
                finally:
                    cursor.close()
                connection.commit()
            except BaseException:
                if connection.in_transaction:
                    connection.rollback()
                raise
            return True
        except sqlite3.IntegrityError:
            raise DuplicateSeq(f"workshop {workshop_id}: a sequence number or message id is taken") from None
        except sqlite3.Error as exc:
            if _busy(exc):  # after BEGIN IMMEDIATE only a commit could be: nothing was written
                return False
            raise StorageError(f"workshop {workshop_id}: commands not stored ({_kind(exc)})") from None
        finally:
            at_once.lock.release()

    def _write_commands(
        self,
        cursor: Any,
        workshop_id: int,
        commands: Sequence[NewCommand],
        resends: Sequence[tuple[str, str]],
    ) -> None:
        """``append``'s statements, on a driver's cursor in its transaction."""
        written_at = max(new.cmd.at for new in commands)
        cursor.execute(self._still_open, (written_at, workshop_id))
        if cursor.rowcount != 1:
            raise WorkshopGone(f"workshop {workshop_id} is closed or deleted")
        known = self._seqs_for_keys(cursor, workshop_id, resends) if resends else {}
        if known:
            raise Resent(known)  # leaves the transaction: nothing written
        rows = [
            (
                workshop_id,
                new.seq,
                new.cmd.actor,
                new.idempotency_key,
                json.dumps(command_to_json(new.cmd), ensure_ascii=False),
            )
            for new in commands
        ]
        cursor.executemany(self._insert_commands, rows)
        keys = reduce(KeyChanges.then, (new.keys for new in commands if new.keys), NO_CHANGE)
        if keys.removed:
            gone = [(workshop_id, kind, h) for kind, h in sorted(keys.removed)]
            cursor.executemany(self._delete_keys, gone)
        if keys.added:
            new_keys = [(workshop_id, kind, h) for kind, h in sorted(keys.added)]
            cursor.executemany(self._insert_keys, new_keys)

    def _seqs_for_keys(
        self, cursor: Any, workshop_id: int, keys: Sequence[tuple[str, str]]
    ) -> dict[tuple[str, str], int]:
        """The stored numbers of ``keys`` (actor, idempotency key), read with the driver's
        own cursor: every batch of a burst looks up its ids, and SQLAlchemy's select cost
        more Python than the append's writes."""
        wanted = set(keys)
        actors, ids = {actor for actor, _ in wanted}, {key for _, key in wanted}
        marks = self._mark
        sql = self._seqs_for_keys_sql.format(
            actors=", ".join([marks] * len(actors)), keys=", ".join([marks] * len(ids))
        )
        cursor.execute(sql, (workshop_id, *actors, *ids))
        rows = cursor.fetchall()
        return {(actor, key): seq for actor, key, seq in rows if key is not None and (actor, key) in wanted}

    def seqs_for_keys(self, workshop_id: int, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], int]:
        """The sequence numbers of stored commands by (actor, idempotency key)."""
        if not keys:
            return {}
        with self.engine.connect() as connection:
            cursor = connection.connection.cursor()
            try:
                return self._seqs_for_keys(cursor, workshop_id, keys)
            finally:
                cursor.close()

    def commands_after(self, workshop_id: int, seq: int) -> list[tuple[int, Command]]:
        with Session(self.engine) as session:
            rows = session.exec(
                select(CommandRow)
                .where(CommandRow.workshop_id == workshop_id, CommandRow.seq > seq)
                .order_by(CommandRow.seq)  # type: ignore[arg-type]
            ).all()
            return [(row.seq, command_from_json(json.loads(row.body))) for row in rows]

    def rewrite_commands(self, workshop_id: int, actor: str, rewrite: Callable[[Command], Command]) -> int:
        """Rewrite the stored commands of one actor in place (a person deleted their answers:
        ``rewrite`` takes their words out, keeping the order); how many changed."""
        changed = 0
        with Session(self.engine) as session:
            rows = session.exec(
                select(CommandRow).where(CommandRow.workshop_id == workshop_id, CommandRow.actor == actor)
            ).all()
            for row in rows:
                cmd = command_from_json(json.loads(row.body))
                new = rewrite(cmd)
                if new != cmd:
                    row.body = json.dumps(command_to_json(new), ensure_ascii=False)
                    session.add(row)
                    changed += 1
            session.commit()
        return changed

    def save_snapshot(self, workshop_id: int, seq: int, state: bytes) -> None:
        """Only while the workshop is open: a closed one keeps its results only, a
        deleted one nothing (the check holds the workshop's row, as ``append`` does)."""
        with self.engine.begin() as connection:
            if _lock(connection, workshop_id, OPEN):
                _put_snapshot(connection, workshop_id, seq, state, newer_only=True)

    def load_room(self, code: str) -> StoredRoom | None:
        workshop = self.find_workshop(code)
        if workshop is None or workshop.id is None or workshop.deleted_at is not None:
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
