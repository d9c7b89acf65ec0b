"""lists: entries received with masked identity numbers are indexed by that number, so that a credit check
of a few codes looks up the forms each code could be published as instead of reading every such entry; on
SQLite the index of subject keys leaves those entries out, whose empty keys skewed its statistics

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-08 01:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None

MASKED = sa.text("masked_id IS NOT NULL")
KEYED = sa.text("subject_key IS NOT NULL")


def upgrade() -> None:
    op.create_index(
        "ix_list_entry_masked_id",
        "list_entry",
        ["masked_id"],
        postgresql_where=MASKED,
        sqlite_where=MASKED,
    )
    if op.get_bind().dialect.name == "sqlite":
        op.drop_index("ix_list_entry_subject_key", table_name="list_entry")
        op.create_index("ix_list_entry_subject_key", "list_entry", ["subject_key"], sqlite_where=KEYED)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.drop_index("ix_list_entry_subject_key", table_name="list_entry")
        op.create_index("ix_list_entry_subject_key", "list_entry", ["subject_key"])
    op.drop_index("ix_list_entry_masked_id", table_name="list_entry")
