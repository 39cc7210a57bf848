"""The program editor and programmes of gatherings: programs saved from the editor, the
programmes, which workshop is which gathering of one, and who came back.

Revision ID: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "saved_program",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_saved_program_owner_id", "saved_program", ["owner_id"])
    op.create_table(
        "programme",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_programme_owner_id", "programme", ["owner_id"])
    op.create_table(
        "gathering",
        sa.Column("workshop_id", sa.Integer(), sa.ForeignKey("workshop.id"), primary_key=True),
        sa.Column("programme_id", sa.Integer(), sa.ForeignKey("programme.id"), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("follows_id", sa.Integer(), sa.ForeignKey("workshop.id"), nullable=True),
    )
    op.create_index("ix_gathering_programme_id", "gathering", ["programme_id"])
    op.create_table(
        "returning_person",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("workshop_id", sa.Integer(), sa.ForeignKey("workshop.id"), nullable=False),
        sa.Column("pid", sa.String(), nullable=False),
        sa.Column("earlier_pid", sa.String(), nullable=False),
        sa.Column("proof", sa.String(), nullable=False),
        sa.UniqueConstraint("workshop_id", "pid"),
        sa.UniqueConstraint("workshop_id", "earlier_pid"),
    )
    op.create_index("ix_returning_person_workshop_id", "returning_person", ["workshop_id"])


def downgrade() -> None:
    op.drop_index("ix_returning_person_workshop_id", table_name="returning_person")
    op.drop_table("returning_person")
    op.drop_index("ix_gathering_programme_id", table_name="gathering")
    op.drop_table("gathering")
    op.drop_index("ix_programme_owner_id", table_name="programme")
    op.drop_table("programme")
    op.drop_index("ix_saved_program_owner_id", table_name="saved_program")
    op.drop_table("saved_program")
