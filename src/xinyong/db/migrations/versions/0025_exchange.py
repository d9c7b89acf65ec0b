"""exchange: the watermark each exchange destination was sent up to (INT-1)

Revision ID: 0025
Revises: 0023
Create Date: 2026-11-28 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0023"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "exchange_watermark",
        sa.Column("destination", sa.String(length=64), nullable=False),
        sa.Column("record_version", BIG_ID, nullable=False),
        sa.Column("list_step", BIG_ID, nullable=False),
        sa.Column("package", sa.String(length=255), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("destination", name=op.f("pk_exchange_watermark")),
    )


def downgrade() -> None:
    op.drop_table("exchange_watermark")
