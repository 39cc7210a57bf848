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
