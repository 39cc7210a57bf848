"""The database tables. A room is stored as its history of commands plus snapshots."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel


class Workshop(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(index=True, unique=True, max_length=6)
    program_name: str
    program_text: str  # the program file as it was when the workshop was created
    facilitator_key_hash: str
    projector_key: str
    time_scale: float = 1.0
    # Epoch milliseconds do not fit in a 32-bit integer.
    created_at: int = Field(sa_column=Column(BigInteger, nullable=False))
    closed_at: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    # Deleted: the row stays as a tombstone with every secret and all content gone, so
    # that its id and code are never given out again and nothing can load it.
    deleted_at: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    written_at: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    owner_id: int | None = Field(default=None, index=True)  # hosted mode: the facilitator's account


class CommandRow(SQLModel, table=True):
    """One accepted action. ``(workshop_id, seq)`` is unique: the room's order of events."""

    __tablename__ = "command"
    __table_args__ = (
        UniqueConstraint("workshop_id", "seq"),
        UniqueConstraint("workshop_id", "actor", "idempotency_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", index=True)
    seq: int
    actor: str
    idempotency_key: str | None = None
    body: str  # JSON of the command


class SnapshotRow(SQLModel, table=True):
    __tablename__ = "snapshot"

    workshop_id: int = Field(foreign_key="workshop.id", primary_key=True)
    seq: int
    state: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class DoorKey(SQLModel, table=True):
    """A secret that opens a workshop for one person, by its hash: a participant's token
    (``kind`` "token", their phone's cookie) or a take-home link's key ("link"). The same
    hashes are in the room; kept here too so that a made-up cookie or link is found wrong
    without loading the room. Written in the transaction that stores the command adding
    or removing one; a closed workshop keeps its links only, a deleted one nothing."""

    __tablename__ = "door_key"

    workshop_id: int = Field(foreign_key="workshop.id", primary_key=True)
    kind: str = Field(primary_key=True)
    hash: str = Field(primary_key=True)


class Facilitator(SQLModel, table=True):
    """A facilitator's account (hosted mode). Only an Argon2 hash of the password is kept."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(index=True, unique=True)
    password_hash: str
    created_at: int = Field(sa_column=Column(BigInteger, nullable=False))


class FacilitatorSession(SQLModel, table=True):
    """A signed-in browser: the SHA-256 of its random session cookie."""

    __tablename__ = "facilitator_session"

    token_hash: str = Field(primary_key=True)
    facilitator_id: int = Field(foreign_key="facilitator.id", index=True)
    expires_at: int = Field(sa_column=Column(BigInteger, nullable=False))


class SavedProgram(SQLModel, table=True):
    """A program file a facilitator built or uploaded in the editor (owner None: the
    laptop's own facilitator). ``text`` is the TOML file, in the documented format."""

    __tablename__ = "saved_program"

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int | None = Field(default=None, index=True)
    name: str  # the file name it downloads as, "ledersamling-3.toml"
    text: str
    created_at: int = Field(sa_column=Column(BigInteger, nullable=False))
    updated_at: int = Field(sa_column=Column(BigInteger, nullable=False))


class Programme(SQLModel, table=True):
    """A programme of gatherings (a leadership programme): its workshops follow each other."""

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int | None = Field(default=None, index=True)
    title: str
    created_at: int = Field(sa_column=Column(BigInteger, nullable=False))


class Gathering(SQLModel, table=True):
    """A workshop as one gathering of a programme, and the gathering it follows."""

    workshop_id: int = Field(foreign_key="workshop.id", primary_key=True)
    programme_id: int = Field(foreign_key="programme.id", index=True)
    number: int  # 1, 2, 3 … within the programme
    follows_id: int | None = Field(default=None, foreign_key="workshop.id")


class ReturningPerson(SQLModel, table=True):
    """Someone in a gathering who was in the one before: who they were there (a
    participant id), and how that is known ("link": their take-home link; "name": the
    facilitator confirmed a name match). Only ids, never a name or an answer."""

    __tablename__ = "returning_person"
    __table_args__ = (UniqueConstraint("workshop_id", "pid"), UniqueConstraint("workshop_id", "earlier_pid"))

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", index=True)
    pid: str
    earlier_pid: str
    proof: str
