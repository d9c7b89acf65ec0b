"""lists and measures: list entries with their steps, documents and archive marks; joint rewards-and-
punishments tasks, duty holders, and the credit-check log (LIST-2..10, MEA-6, CHK-2)

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-26 12:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "credit_check",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("org_code", sa.String(length=64), nullable=False),
        sa.Column("actor_label", sa.String(length=200), nullable=False),
        sa.Column("scenario", sa.String(length=32), nullable=False),
        sa.Column("purpose", sa.String(length=200), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("intercepted", sa.Integer(), nullable=False),
        sa.Column("warned", sa.Integer(), nullable=False),
        sa.Column("errors", sa.Integer(), nullable=False),
        sa.Column("results", sa.LargeBinary(), nullable=False),
        sa.Column("certificate_digest", sa.String(length=64), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_check")),
        sa.UniqueConstraint("number", name=op.f("uq_credit_check_number")),
    )
    with op.batch_alter_table("credit_check", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_credit_check_org_code"), ["org_code"], unique=False)

    op.create_table(
        "implementer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("duty", sa.String(length=32), nullable=False),
        sa.Column("org_code", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_implementer")),
        sa.UniqueConstraint("duty", "org_code", name="uq_implementer_duty_org_code"),
    )
    with op.batch_alter_table("implementer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_implementer_duty"), ["duty"], unique=False)

    op.create_table(
        "list_entry",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("list_type", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("subject_key", sa.String(length=64), nullable=True),
        sa.Column("subject_name", sa.String(length=200), nullable=False),
        sa.Column("masked_id", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("source_ref", sa.String(length=200), nullable=False),
        sa.Column("record_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("determining_org", sa.String(length=64), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("measures", sa.Text(), nullable=False),
        sa.Column("noticed_on", sa.Date(), nullable=True),
        sa.Column("defence_until", sa.Date(), nullable=True),
        sa.Column("publicity_until", sa.Date(), nullable=True),
        sa.Column("entered_on", sa.Date(), nullable=True),
        sa.Column("term_end", sa.Date(), nullable=True),
        sa.Column("removed_on", sa.Date(), nullable=True),
        sa.Column("removal_reason", sa.String(length=16), nullable=True),
        sa.Column("removal_text", sa.String(length=1000), nullable=True),
        sa.Column("monitoring_until", sa.Date(), nullable=True),
        sa.Column("wrongful", sa.Boolean(), nullable=False),
        sa.Column("recover_benefits", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["record_id"], ["record.id"], name=op.f("fk_list_entry_record_id_record")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_list_entry")),
        sa.UniqueConstraint("list_type", "source_ref", name="uq_list_entry_list_type_source_ref"),
        sa.UniqueConstraint("number", name=op.f("uq_list_entry_number")),
    )
    with op.batch_alter_table("list_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_list_entry_determining_org"), ["determining_org"], unique=False)
        batch_op.create_index(batch_op.f("ix_list_entry_list_type"), ["list_type"], unique=False)
        batch_op.create_index(batch_op.f("ix_list_entry_record_id"), ["record_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_list_entry_status"), ["status"], unique=False)
        batch_op.create_index("ix_list_entry_status_term_end", ["status", "term_end"], unique=False)
        batch_op.create_index(batch_op.f("ix_list_entry_subject_key"), ["subject_key"], unique=False)

    op.create_table(
        "list_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("entry_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("subject_key", sa.String(length=64), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["list_entry.id"], name=op.f("fk_list_document_entry_id_list_entry")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_list_document")),
        sa.UniqueConstraint("number", name=op.f("uq_list_document_number")),
    )
    with op.batch_alter_table("list_document", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_list_document_entry_id"), ["entry_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_list_document_subject_key"), ["subject_key"], unique=False)

    op.create_table(
        "list_mark",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("entry_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("person_key", sa.String(length=64), nullable=False),
        sa.Column("org_key", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["list_entry.id"], name=op.f("fk_list_mark_entry_id_list_entry")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_list_mark")),
        sa.UniqueConstraint("entry_id", "person_key", "role", name="uq_list_mark_entry_id_person_key_role"),
    )
    with op.batch_alter_table("list_mark", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_list_mark_entry_id"), ["entry_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_list_mark_person_key"), ["person_key"], unique=False)

    op.create_table(
        "list_step",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("entry_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("subject_key", sa.String(length=64), nullable=True),
        sa.Column("step", sa.String(length=16), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("document", sa.String(length=32), nullable=True),
        sa.Column("actor_label", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["list_entry.id"], name=op.f("fk_list_step_entry_id_list_entry")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_list_step")),
    )
    with op.batch_alter_table("list_step", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_list_step_entry_id"), ["entry_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_list_step_subject_key"), ["subject_key"], unique=False)

    op.create_table(
        "rp_task",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("entry_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("subject_key", sa.String(length=64), nullable=True),
        sa.Column("list_type", sa.String(length=64), nullable=False),
        sa.Column("measure", sa.String(length=64), nullable=False),
        sa.Column("org_code", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("pushed_on", sa.Date(), nullable=False),
        sa.Column("respond_by", sa.Date(), nullable=False),
        sa.Column("responded_on", sa.Date(), nullable=True),
        sa.Column("implemented_on", sa.Date(), nullable=True),
        sa.Column("fed_back_on", sa.Date(), nullable=True),
        sa.Column("feedback", sa.Text(), nullable=True),
        sa.Column("reminded_on", sa.Date(), nullable=True),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["entry_id"], ["list_entry.id"], name=op.f("fk_rp_task_entry_id_list_entry")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rp_task")),
        sa.UniqueConstraint("entry_id", "measure", "org_code", name="uq_rp_task_entry_id_measure_org_code"),
    )
    with op.batch_alter_table("rp_task", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rp_task_entry_id"), ["entry_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_rp_task_org_code"), ["org_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_rp_task_respond_by"), ["respond_by"], unique=False)
        batch_op.create_index(batch_op.f("ix_rp_task_subject_key"), ["subject_key"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("rp_task", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rp_task_subject_key"))
        batch_op.drop_index(batch_op.f("ix_rp_task_respond_by"))
        batch_op.drop_index(batch_op.f("ix_rp_task_org_code"))
        batch_op.drop_index(batch_op.f("ix_rp_task_entry_id"))

    op.drop_table("rp_task")
    with op.batch_alter_table("list_step", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_list_step_subject_key"))
        batch_op.drop_index(batch_op.f("ix_list_step_entry_id"))

    op.drop_table("list_step")
    with op.batch_alter_table("list_mark", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_list_mark_person_key"))
        batch_op.drop_index(batch_op.f("ix_list_mark_entry_id"))

    op.drop_table("list_mark")
    with op.batch_alter_table("list_document", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_list_document_subject_key"))
        batch_op.drop_index(batch_op.f("ix_list_document_entry_id"))

    op.drop_table("list_document")
    with op.batch_alter_table("list_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_list_entry_subject_key"))
        batch_op.drop_index("ix_list_entry_status_term_end")
        batch_op.drop_index(batch_op.f("ix_list_entry_status"))
        batch_op.drop_index(batch_op.f("ix_list_entry_record_id"))
        batch_op.drop_index(batch_op.f("ix_list_entry_list_type"))
        batch_op.drop_index(batch_op.f("ix_list_entry_determining_org"))

    op.drop_table("list_entry")
    with op.batch_alter_table("implementer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_implementer_duty"))

    op.drop_table("implementer")
    with op.batch_alter_table("credit_check", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credit_check_org_code"))

    op.drop_table("credit_check")
