"""subject keys: every table that grows with subjects carries the subject key, so PostgreSQL can be
distributed by it (DESIGN principle 6; docs/scale.md)

Revision ID: 0026
Revises: 0025
Create Date: 2026-11-26 22:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deadline_pause", schema=None) as batch_op:
        batch_op.add_column(sa.Column("subject_key", sa.String(length=64), nullable=True))
    # A pause belongs to the subject of its deadline: one statement fills the pauses there are.
    op.execute(
        "UPDATE deadline_pause SET subject_key = "
        "(SELECT d.subject_key FROM deadline d WHERE d.id = deadline_pause.deadline_id)"
    )
    with op.batch_alter_table("deadline_pause", schema=None) as batch_op:
        batch_op.alter_column("subject_key", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_index(batch_op.f("ix_deadline_pause_subject_key"), ["subject_key"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("deadline_pause", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deadline_pause_subject_key"))
        batch_op.drop_column("subject_key")
