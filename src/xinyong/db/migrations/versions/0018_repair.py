"""repair: repair cases, their evidence and publicity objections, interviews (REP-1..REP-6)

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-27 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "repair_case",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("subject_key", sa.String(length=64), nullable=False),
        sa.Column("record_id", BIG_ID, nullable=False),
        sa.Column("provider", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("ways", sa.String(length=500), nullable=False),
        sa.Column("correction", sa.Text(), nullable=False),
        sa.Column("corrected_on", sa.Date(), nullable=False),
        sa.Column("commitment", sa.Text(), nullable=True),
        sa.Column("reorganization_ruling", sa.String(length=128), nullable=True),
        sa.Column("reorganization_on", sa.Date(), nullable=True),
        sa.Column("filed_on", sa.Date(), nullable=False),
        sa.Column("filed_by", sa.String(length=200), nullable=False),
        sa.Column("agrees", sa.Boolean(), nullable=True),
        sa.Column("opinion", sa.Text(), nullable=True),
        sa.Column("opinion_on", sa.Date(), nullable=True),
        sa.Column("publicity_until", sa.Date(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("reasons", sa.Text(), nullable=True),
        sa.Column("document", sa.String(length=32), nullable=True),
        sa.Column("document_digest", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["record_id"], ["record.id"], name=op.f("fk_repair_case_record_id_record")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_repair_case")),
        sa.UniqueConstraint("number", name=op.f("uq_repair_case_number")),
        sa.UniqueConstraint("document", name=op.f("uq_repair_case_document")),
    )
    for column in ("subject_key", "record_id", "provider", "status", "publicity_until"):
        op.create_index(op.f(f"ix_repair_case_{column}"), "repair_case", [column], unique=False)
    op.create_table(
        "repair_file",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("subject_key", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("media_type", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["repair_case.id"], name=op.f("fk_repair_file_case_id_repair_case")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_repair_file")),
    )
    op.create_table(
        "repair_objection",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("subject_key", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("contact", sa.String(length=200), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("verified_on", sa.Date(), nullable=True),
        sa.Column("upheld", sa.Boolean(), nullable=True),
        sa.Column("finding", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["repair_case.id"], name=op.f("fk_repair_objection_case_id_repair_case")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_repair_objection")),
    )
    for table in ("repair_file", "repair_objection"):
        for column in ("case_id", "subject_key"):
            op.create_index(op.f(f"ix_{table}_{column}"), table, [column], unique=False)
    op.create_table(
        "interview",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("subject_key", sa.String(length=64), nullable=False),
        sa.Column("record_id", BIG_ID, nullable=False),
        sa.Column("org_code", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("department", sa.String(length=200), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("actor_label", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["record_id"], ["record.id"], name=op.f("fk_interview_record_id_record")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interview")),
        sa.UniqueConstraint("number", name=op.f("uq_interview_number")),
    )
    for column in ("subject_key", "record_id", "org_code"):
        op.create_index(op.f(f"ix_interview_{column}"), "interview", [column], unique=False)


def downgrade() -> None:
    op.drop_table("interview")
    op.drop_table("repair_objection")
    op.drop_table("repair_file")
    op.drop_table("repair_case")
