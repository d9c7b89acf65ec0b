"""disclosure: a subject's authorizations of named parties (DIS-4, DIS-5)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 16:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "authorization_grant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("subject_key", sa.String(length=64), nullable=False),
        sa.Column("grantee_org", sa.String(length=64), nullable=True),
        sa.Column("grantee_account_id", sa.Integer(), nullable=True),
        sa.Column("grantee_label", sa.String(length=200), nullable=False),
        sa.Column("items", sa.Text(), nullable=False),
        sa.Column("purpose", sa.String(length=64), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_authorization_grant")),
        sa.UniqueConstraint("number", name=op.f("uq_authorization_grant_number")),
    )
    with op.batch_alter_table("authorization_grant", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_authorization_grant_subject_key"), ["subject_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_authorization_grant_grantee_org"), ["grantee_org"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_authorization_grant_grantee_account_id"), ["grantee_account_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("authorization_grant")
