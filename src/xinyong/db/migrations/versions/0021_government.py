"""government integrity: archives of government bodies and civil servants with their versions,
fault-tolerance exemptions, government commitments and contracts with their obligations and changes,
regions, debt figures and regional evaluations (GOV-1..GOV-4)

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-26 18:33:01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "government_archive_entry",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("subject_key", sa.String(length=64), nullable=False),
        sa.Column("holder", sa.String(length=16), nullable=False),
        sa.Column("dimension", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("grade", sa.String(length=16), nullable=True),
        sa.Column("document_number", sa.String(length=128), nullable=True),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.Column("department", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_government_archive_entry")),
    )
    with op.batch_alter_table("government_archive_entry", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_government_archive_entry_subject_key"), ["subject_key"], unique=False
        )

    op.create_table(
        "government_body",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_government_body")),
        sa.UniqueConstraint("subject_key", name=op.f("uq_government_body_subject_key")),
    )
    with op.batch_alter_table("government_body", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_government_body_region_code"), ["region_code"], unique=False)

    op.create_table(
        "government_civil_servant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("body_key", sa.String(length=64), nullable=False),
        sa.Column("post", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_government_civil_servant")),
        sa.UniqueConstraint("subject_key", name=op.f("uq_government_civil_servant_subject_key")),
    )
    with op.batch_alter_table("government_civil_servant", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_government_civil_servant_body_key"), ["body_key"], unique=False)

    op.create_table(
        "government_commitment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("subject_key", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("counterparty_name", sa.String(length=200), nullable=False),
        sa.Column("counterparty_key", sa.String(length=64), nullable=True),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=20, scale=2), nullable=True),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_government_commitment")),
        sa.UniqueConstraint("number", name=op.f("uq_government_commitment_number")),
    )
    with op.batch_alter_table("government_commitment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_government_commitment_counterparty_key"), ["counterparty_key"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_government_commitment_status"), ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_government_commitment_subject_key"), ["subject_key"], unique=False
        )

    op.create_table(
        "government_debt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("debt_balance", sa.Numeric(precision=20, scale=2), nullable=False),
        sa.Column("fiscal_capacity", sa.Numeric(precision=20, scale=2), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("actor_label", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_government_debt")),
        sa.UniqueConstraint("region_code", "year", name="uq_government_debt_region_year"),
    )
    with op.batch_alter_table("government_debt", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_government_debt_region_code"), ["region_code"], unique=False)

    op.create_table(
        "government_evaluation_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("regions", sa.Integer(), nullable=False),
        sa.Column("actor_label", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_government_evaluation_run")),
    )
    op.create_table(
        "government_region",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_government_region")),
        sa.UniqueConstraint("code", name=op.f("uq_government_region_code")),
    )
    op.create_table(
        "government_archive_version",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("entry_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("subject_key", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("actor_label", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["government_archive_entry.id"],
            name=op.f("fk_government_archive_version_entry_id_government_archive_entry"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_government_archive_version")),
        sa.UniqueConstraint("entry_id", "version", name="uq_government_archive_version_entry"),
    )
    with op.batch_alter_table("government_archive_version", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_government_archive_version_entry_id"), ["entry_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_government_archive_version_subject_key"), ["subject_key"], unique=False
        )

    op.create_table(
        "government_region_score",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("score", sa.Numeric(precision=6, scale=2), nullable=False),
        sa.Column("grade", sa.String(length=8), nullable=False),
        sa.Column("indicators", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["government_evaluation_run.id"],
            name=op.f("fk_government_region_score_run_id_government_evaluation_run"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_government_region_score")),
        sa.UniqueConstraint("run_id", "region_code", name="uq_government_region_score_run"),
    )
    with op.batch_alter_table("government_region_score", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_government_region_score_run_id"), ["run_id"], unique=False)

    op.create_table(
        "government_exemption",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("subject_key", sa.String(length=64), nullable=False),
        sa.Column("case_document", sa.String(length=128), nullable=False),
        sa.Column("facts", sa.Text(), nullable=False),
        sa.Column("document_number", sa.String(length=128), nullable=False),
        sa.Column("authority", sa.String(length=200), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("record_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("provider", sa.String(length=64), nullable=False),
        sa.Column("actor_label", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"], ["record.id"], name=op.f("fk_government_exemption_record_id_record")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_government_exemption")),
        sa.UniqueConstraint("number", name=op.f("uq_government_exemption_number")),
    )
    with op.batch_alter_table("government_exemption", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_government_exemption_record_id"), ["record_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_government_exemption_subject_key"), ["subject_key"], unique=False
        )

    op.create_table(
        "government_obligation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("commitment_id", sa.Integer(), nullable=False),
        sa.Column("subject_key", sa.String(length=64), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("fulfilled_on", sa.Date(), nullable=True),
        sa.Column("overdue_since", sa.Date(), nullable=True),
        sa.Column("record_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["commitment_id"],
            ["government_commitment.id"],
            name=op.f("fk_government_obligation_commitment_id_government_commitment"),
        ),
        sa.ForeignKeyConstraint(
            ["record_id"], ["record.id"], name=op.f("fk_government_obligation_record_id_record")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_government_obligation")),
    )
    with op.batch_alter_table("government_obligation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_government_obligation_commitment_id"), ["commitment_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_government_obligation_subject_key"), ["subject_key"], unique=False
        )

    op.create_table(
        "government_commitment_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("commitment_id", sa.Integer(), nullable=False),
        sa.Column("subject_key", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("obligation_id", sa.Integer(), nullable=True),
        sa.Column("new_due_on", sa.Date(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("legal_basis", sa.String(length=500), nullable=False),
        sa.Column("document_number", sa.String(length=128), nullable=False),
        sa.Column("approved_by", sa.String(length=200), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("compensated", sa.Boolean(), nullable=False),
        sa.Column("compensation", sa.Text(), nullable=False),
        sa.Column("actor_label", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["commitment_id"],
            ["government_commitment.id"],
            name=op.f("fk_government_commitment_change_commitment_id_government_commitment"),
        ),
        sa.ForeignKeyConstraint(
            ["obligation_id"],
            ["government_obligation.id"],
            name=op.f("fk_government_commitment_change_obligation_id_government_obligation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_government_commitment_change")),
    )
    with op.batch_alter_table("government_commitment_change", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_government_commitment_change_commitment_id"), ["commitment_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_government_commitment_change_subject_key"), ["subject_key"], unique=False
        )


def downgrade() -> None:
    op.drop_table("government_commitment_change")
    op.drop_table("government_obligation")
    op.drop_table("government_exemption")
    op.drop_table("government_region_score")
    op.drop_table("government_archive_version")
    op.drop_table("government_region")
    op.drop_table("government_evaluation_run")
    op.drop_table("government_debt")
    op.drop_table("government_commitment")
    op.drop_table("government_civil_servant")
    op.drop_table("government_body")
    op.drop_table("government_archive_entry")
