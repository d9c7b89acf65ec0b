"""sweep: receipts of records handed to agencies, the outbox, the index the expiry sweep reads

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 16:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "disclosure_receipt",
        sa.Column("id", BigId, nullable=False),
        sa.Column("org_code", sa.String(length=64), nullable=False),
        sa.Column("record_id", sa.BigInteger(), nullable=False),
        sa.Column("subject_key", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disclosure_receipt")),
        sa.UniqueConstraint("org_code", "record_id", name="uq_disclosure_receipt_org_code_record_id"),
    )
    with op.batch_alter_table("disclosure_receipt", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_disclosure_receipt_record_id"), ["record_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_disclosure_receipt_subject_key"), ["subject_key"], unique=False)
    op.create_table(
        "outbox_message",
        sa.Column("id", BigId, nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("org_code", sa.String(length=64), nullable=False),
        sa.Column("subject_key", sa.String(length=64), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_message")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_outbox_message_dedupe_key")),
    )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_message_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_message_org_code"), ["org_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_message_subject_key"), ["subject_key"], unique=False)
    with op.batch_alter_table("record", schema=None) as batch_op:
        batch_op.create_index("ix_record_state_public_until", ["state", "public_until"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("record", schema=None) as batch_op:
        batch_op.drop_index("ix_record_state_public_until")
    op.drop_table("outbox_message")
    op.drop_table("disclosure_receipt")
