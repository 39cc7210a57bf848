"""The first schema: workshops, their command history and snapshots.

Revision ID: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "workshop",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(length=6), nullable=False),
        sa.Column("program_name", sa.String(), nullable=False),
        sa.Column("program_text", sa.String(), nullable=False),
        sa.Column("facilitator_key_hash", sa.String(), nullable=False),
        sa.Column("projector_key", sa.String(), nullable=False),
        sa.Column("time_scale", sa.Float(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("closed_at", sa.BigInteger(), nullable=True),
    )
    op.create_index("ix_workshop_code", "workshop", ["code"], unique=True)
    op.create_table(
        "command",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("workshop_id", sa.Integer(), sa.ForeignKey("workshop.id"), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("idempotency_key", sa.String(), nullable=True),
        sa.Column("body", sa.String(), nullable=False),
        sa.UniqueConstraint("workshop_id", "seq"),
        sa.UniqueConstraint("workshop_id", "actor", "idempotency_key"),
    )
    op.create_index("ix_command_workshop_id", "command", ["workshop_id"])
    op.create_table(
        "snapshot",
        sa.Column("workshop_id", sa.Integer(), sa.ForeignKey("workshop.id"), primary_key=True),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("state", sa.LargeBinary(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("snapshot")
    op.drop_index("ix_command_workshop_id", table_name="command")
    op.drop_table("command")
    op.drop_index("ix_workshop_code", table_name="workshop")
    op.drop_table("workshop")
