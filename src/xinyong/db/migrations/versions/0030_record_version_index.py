"""records: the version table loses its index on record_id alone; the unique (record_id, version) index
already serves every lookup by record, and each ingested record wrote both

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-08 02:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_record_version_record_id", table_name="record_version")


def downgrade() -> None:
    op.create_index("ix_record_version_record_id", "record_version", ["record_id"])
