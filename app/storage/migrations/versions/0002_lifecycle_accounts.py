"""Workshops end cleanly and facilitators sign in: a deleted workshop stays as a tombstone
(its id and code are never given out again), and hosted mode's facilitator accounts and
sessions.

Revision ID: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("workshop") as batch:
        batch.add_column(sa.Column("deleted_at", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("written_at", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("owner_id", sa.Integer(), nullable=True))
        batch.create_index("ix_workshop_owner_id", ["owner_id"])
    op.create_table(
        "facilitator",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("email", sa.String(), nullable=False),
        sa.Column("password_hash", sa.String(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_facilitator_email", "facilitator", ["email"], unique=True)
    op.create_table(
        "facilitator_session",
        sa.Column("token_hash", sa.String(), primary_key=True),
        sa.Column("facilitator_id", sa.Integer(), sa.ForeignKey("facilitator.id"), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_facilitator_session_facilitator_id", "facilitator_session", ["facilitator_id"])


def downgrade() -> None:
    op.drop_index("ix_facilitator_session_facilitator_id", table_name="facilitator_session")
    op.drop_table("facilitator_session")
    op.drop_index("ix_facilitator_email", table_name="facilitator")
    op.drop_table("facilitator")
    with op.batch_alter_table("workshop") as batch:
        batch.drop_index("ix_workshop_owner_id")
        batch.drop_column("owner_id")
        batch.drop_column("written_at")
        batch.drop_column("deleted_at")
