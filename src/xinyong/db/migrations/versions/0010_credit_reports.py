"""disclosure: issued credit reports and the digests that verify them (DIS-7, DIS-10)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "credit_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("subject_key", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("issued_to", sa.String(length=200), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_report")),
        sa.UniqueConstraint("number", name=op.f("uq_credit_report_number")),
    )
    with op.batch_alter_table("credit_report", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_credit_report_subject_key"), ["subject_key"], unique=False)


def downgrade() -> None:
    op.drop_table("credit_report")
