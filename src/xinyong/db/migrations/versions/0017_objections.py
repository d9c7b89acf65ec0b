"""objections: objection cases, their evidence and steps (OBJ-1..OBJ-5)

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-26 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "objection",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("subject_key", sa.String(length=64), nullable=False),
        sa.Column("target_kind", sa.String(length=16), nullable=False),
        sa.Column("target_ref", sa.String(length=64), nullable=False),
        sa.Column("target_label", sa.String(length=300), nullable=False),
        sa.Column("provider_org", sa.String(length=64), nullable=False),
        sa.Column("grounds", sa.String(length=32), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("filed_on", sa.Date(), nullable=False),
        sa.Column("filed_by", sa.String(length=200), nullable=False),
        sa.Column("verification", sa.String(length=16), nullable=True),
        sa.Column("verification_text", sa.Text(), nullable=True),
        sa.Column("corrected_data", sa.Text(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("outcome_text", sa.Text(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("reply_number", sa.String(length=32), nullable=True),
        sa.Column("reply_digest", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_objection")),
        sa.UniqueConstraint("number", name=op.f("uq_objection_number")),
        sa.UniqueConstraint("reply_number", name=op.f("uq_objection_reply_number")),
    )
    op.create_index(
        "ix_objection_target_kind_target_ref", "objection", ["target_kind", "target_ref"], unique=False
    )
    op.create_index(op.f("ix_objection_subject_key"), "objection", ["subject_key"], unique=False)
    op.create_index(op.f("ix_objection_provider_org"), "objection", ["provider_org"], unique=False)
    op.create_index(op.f("ix_objection_status"), "objection", ["status"], unique=False)
    op.create_table(
        "objection_evidence",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("objection_id", BIG_ID, nullable=False),
        sa.Column("subject_key", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("media_type", sa.String(length=32), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["objection_id"], ["objection.id"], name=op.f("fk_objection_evidence_objection_id_objection")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_objection_evidence")),
    )
    op.create_index(
        op.f("ix_objection_evidence_objection_id"), "objection_evidence", ["objection_id"], unique=False
    )
    op.create_index(
        op.f("ix_objection_evidence_subject_key"), "objection_evidence", ["subject_key"], unique=False
    )
    op.create_table(
        "objection_step",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("objection_id", BIG_ID, nullable=False),
        sa.Column("subject_key", sa.String(length=64), nullable=False),
        sa.Column("step", sa.String(length=32), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(length=200), nullable=True),
        sa.Column("actor_label", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["objection_id"], ["objection.id"], name=op.f("fk_objection_step_objection_id_objection")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_objection_step")),
    )
    op.create_index(op.f("ix_objection_step_objection_id"), "objection_step", ["objection_id"], unique=False)
    op.create_index(op.f("ix_objection_step_subject_key"), "objection_step", ["subject_key"], unique=False)


def downgrade() -> None:
    op.drop_table("objection_step")
    op.drop_table("objection_evidence")
    op.drop_table("objection")
