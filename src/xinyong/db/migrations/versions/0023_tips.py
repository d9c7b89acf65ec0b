"""tips: tips and complaints from the public, their reporters (kept apart), files and steps (PUB-1)

Revision ID: 0023
Revises: 0022
Create Date: 2026-11-27 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "tip",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("subject_key", sa.String(length=64), nullable=True),
        sa.Column("subject_name", sa.String(length=200), nullable=True),
        sa.Column("facts", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("org_code", sa.String(length=64), nullable=False),
        sa.Column("routes", sa.Integer(), nullable=False),
        sa.Column("filed_on", sa.Date(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tip")),
        sa.UniqueConstraint("number", name=op.f("uq_tip_number")),
    )
    op.create_index(op.f("ix_tip_subject_key"), "tip", ["subject_key"], unique=False)
    op.create_index(op.f("ix_tip_status"), "tip", ["status"], unique=False)
    op.create_index(op.f("ix_tip_org_code"), "tip", ["org_code"], unique=False)
    op.create_index(op.f("ix_tip_fingerprint"), "tip", ["fingerprint"], unique=False)
    op.create_table(
        "tip_reporter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tip_id", BIG_ID, nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=True),
        sa.Column("contact", sa.String(length=200), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["tip_id"], ["tip.id"], name=op.f("fk_tip_reporter_tip_id_tip")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tip_reporter")),
        sa.UniqueConstraint("tip_id", name=op.f("uq_tip_reporter_tip_id")),
    )
    op.create_table(
        "tip_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tip_id", BIG_ID, nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("media_type", sa.String(length=32), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["tip_id"], ["tip.id"], name=op.f("fk_tip_file_tip_id_tip")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tip_file")),
    )
    op.create_index(op.f("ix_tip_file_tip_id"), "tip_file", ["tip_id"], unique=False)
    op.create_table(
        "tip_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tip_id", BIG_ID, nullable=False),
        sa.Column("step", sa.String(length=32), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("org_code", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("actor_label", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["tip_id"], ["tip.id"], name=op.f("fk_tip_step_tip_id_tip")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tip_step")),
    )
    op.create_index(op.f("ix_tip_step_tip_id"), "tip_step", ["tip_id"], unique=False)


def downgrade() -> None:
    op.drop_table("tip_step")
    op.drop_table("tip_file")
    op.drop_table("tip_reporter")
    op.drop_table("tip")
