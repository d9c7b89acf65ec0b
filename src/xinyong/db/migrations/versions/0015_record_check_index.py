"""records: a partial covering index for credit checks (CHK-1)

A batch check counts, for up to 100,000 subjects, their standing published records in the public period.
Reading them from the table means reading every column of every record of those subjects; this index holds
the few the count needs (PostgreSQL ``INCLUDE``) and only records that can count.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-26 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

STANDING = "state IN ('active', 'objection') AND published"


def upgrade() -> None:
    op.create_index(
        "ix_record_standing_subject_key",
        "record",
        ["subject_key"],
        unique=False,
        postgresql_include=["item_code", "state", "public_until", "decision_date", "lenient"],
        postgresql_where=sa.text(STANDING),
        sqlite_where=sa.text(STANDING),
    )


def downgrade() -> None:
    op.drop_index("ix_record_standing_subject_key", table_name="record")
