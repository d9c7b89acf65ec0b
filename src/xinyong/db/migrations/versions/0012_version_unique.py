"""records: one row per record and version number

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-23 18:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("record_version", schema=None) as batch_op:
        batch_op.create_unique_constraint("uq_record_version_record_id_version", ["record_id", "version"])


def downgrade() -> None:
    with op.batch_alter_table("record_version", schema=None) as batch_op:
        batch_op.drop_constraint("uq_record_version_record_id_version", type_="unique")
