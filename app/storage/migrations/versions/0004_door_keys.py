"""The door keeps the hashes of the secrets that open a workshop for one person (the
participants' tokens, the take-home links' keys), so that a made-up cookie or link is
found wrong without loading the room.

Filled from what is stored already, so that everyone who joined before this migration
gets back in: an open workshop's whole history is stored (every join, second phone and
take-home link names its hash), a closed one keeps the links of its results snapshot
(its tokens went when it closed), a deleted one nothing. A person removed from a room
keeps their row here (the room still refuses them once loaded): the commands name the
person removed, not their hashes. This reads the stored JSON as it was written up to
this revision (command and snapshot formats 1 to 3), never through the app's code.

Revision ID: 0004
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TOKEN, LINK = "token", "link"
# The actions that gave a person a token or a link, and the fields that hold the hashes.
NAMING = {
    "join": (("token_hash", TOKEN), ("workbook", LINK)),
    "add_phone": (("token_hash", TOKEN), ("workbook", LINK)),
    "link_workbook": (("key_hash", LINK),),
}


def _hash(value: Any) -> str | None:
    return value if isinstance(value, str) and len(value) == 64 else None


def _from_commands(bodies: Iterator[str], closed: bool) -> Iterator[tuple[str, str]]:
    for body in bodies:
        action = json.loads(body).get("action") or {}
        for field, kind in NAMING.get(str(action.get("type")), ()):
            found = _hash(action.get(field))
            if found is not None and not (closed and kind == TOKEN):
                yield kind, found


def _from_snapshot(state: bytes | memoryview | str) -> Iterator[tuple[str, str]]:
    record = json.loads(state if isinstance(state, str) else bytes(state))
    room = record.get("room", record) if isinstance(record, dict) else {}  # version 1: the bare room
    for found in (room.get("workbook_links") or {}) if isinstance(room, dict) else ():
        if _hash(found) is not None:
            yield LINK, found


def upgrade() -> None:
    door_key = op.create_table(
        "door_key",
        sa.Column("workshop_id", sa.Integer(), sa.ForeignKey("workshop.id"), primary_key=True),
        sa.Column("kind", sa.String(), primary_key=True),
        sa.Column("hash", sa.String(), primary_key=True),
    )
    assert door_key is not None
    connection = op.get_bind()
    workshops = connection.execute(
        sa.text("SELECT id, closed_at FROM workshop WHERE deleted_at IS NULL ORDER BY id")
    ).all()
    for workshop_id, closed_at in workshops:
        closed = closed_at is not None
        bodies = connection.execute(
            sa.text("SELECT body FROM command WHERE workshop_id = :id ORDER BY seq"), {"id": workshop_id}
        ).scalars()
        keys = set(_from_commands(iter(bodies), closed))
        if closed:
            state = connection.execute(
                sa.text("SELECT state FROM snapshot WHERE workshop_id = :id"), {"id": workshop_id}
            ).scalar()
            if state is not None:
                with contextlib.suppress(ValueError):  # unreadable: it cannot be loaded either
                    keys |= set(_from_snapshot(state))
        if keys:
            op.bulk_insert(
                door_key, [{"workshop_id": workshop_id, "kind": kind, "hash": h} for kind, h in sorted(keys)]
            )


def downgrade() -> None:
    op.drop_table("door_key")
