"""deadlines: working-day due dates of objection, revocation and repair steps, and their pauses (OBJ-3, OBJ-4)

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-26 16:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "deadline",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("case_number", sa.String(length=40), nullable=False),
        sa.Column("step", sa.String(length=32), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("basis", sa.String(length=500), nullable=False),
        sa.Column("subject_key", sa.String(length=64), nullable=False),
        sa.Column("org_code", sa.String(length=64), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("paused_since", sa.Date(), nullable=True),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("reminded_on", sa.Date(), nullable=True),
        sa.Column("flagged_on", sa.Date(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deadline")),
        sa.UniqueConstraint("kind", "case_number", "step", name="uq_deadline_kind_case_number_step"),
    )
    op.create_index("ix_deadline_open_due_on", "deadline", ["done_on", "due_on"], unique=False)
    op.create_index(op.f("ix_deadline_case_number"), "deadline", ["case_number"], unique=False)
    op.create_index(op.f("ix_deadline_subject_key"), "deadline", ["subject_key"], unique=False)
    op.create_index(op.f("ix_deadline_org_code"), "deadline", ["org_code"], unique=False)
    op.create_table(
        "deadline_pause",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deadline_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["deadline_id"], ["deadline.id"], name=op.f("fk_deadline_pause_deadline_id_deadline")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deadline_pause")),
    )
    op.create_index(op.f("ix_deadline_pause_deadline_id"), "deadline_pause", ["deadline_id"], unique=False)


def downgrade() -> None:
    op.drop_table("deadline_pause")
    op.drop_table("deadline")
