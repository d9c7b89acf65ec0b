"""revocation cases and deletion requests: a record's basis document revoked, changed or void, and a
subject's request to delete its own positive information (REV-1, REP-7)

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-26 16:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

# A record's id: 64-bit on PostgreSQL, SQLite's rowid integer there (records.models.BigId).
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "revocation_case",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("record_id", BIG_ID, nullable=False),
        sa.Column("subject_key", sa.String(length=64), nullable=False),
        sa.Column("provider", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("document", sa.String(length=500), nullable=False),
        sa.Column("changes", sa.Text(), nullable=False),
        sa.Column("notified_on", sa.Date(), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("applied_on", sa.Date(), nullable=True),
        sa.Column("applied_by", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"], ["record.id"], name=op.f("fk_revocation_case_record_id_record")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_revocation_case")),
        sa.UniqueConstraint("number", name=op.f("uq_revocation_case_number")),
    )
    op.create_index(op.f("ix_revocation_case_record_id"), "revocation_case", ["record_id"], unique=False)
    op.create_index(op.f("ix_revocation_case_subject_key"), "revocation_case", ["subject_key"], unique=False)
    op.create_index(op.f("ix_revocation_case_provider"), "revocation_case", ["provider"], unique=False)
    op.create_table(
        "deletion_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", BIG_ID, nullable=False),
        sa.Column("subject_key", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("actor_label", sa.String(length=200), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"], ["record.id"], name=op.f("fk_deletion_request_record_id_record")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deletion_request")),
    )
    op.create_index(op.f("ix_deletion_request_record_id"), "deletion_request", ["record_id"], unique=False)
    op.create_index(
        op.f("ix_deletion_request_subject_key"), "deletion_request", ["subject_key"], unique=False
    )


def downgrade() -> None:
    op.drop_table("deletion_request")
    op.drop_table("revocation_case")
