"""records: credit records, their versions, import jobs and rejected rows

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 13:40:43.573685
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=64), nullable=False),
        sa.Column("item_code", sa.String(length=64), nullable=False),
        sa.Column("route", sa.String(length=16), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("accepted", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("duplicates", sa.Integer(), nullable=False),
        sa.Column("message", sa.String(length=2000), nullable=True),
        sa.Column("actor_label", sa.String(length=200), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_job")),
    )
    with op.batch_alter_table("import_job", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_import_job_provider"), ["provider"], unique=False)

    op.create_table(
        "import_reject",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("row", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=100), nullable=True),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("message", sa.String(length=500), nullable=False),
        sa.Column("values", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"], ["import_job.id"], name=op.f("fk_import_reject_job_id_import_job")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_reject")),
    )
    with op.batch_alter_table("import_reject", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_import_reject_job_id"), ["job_id"], unique=False)

    op.create_table(
        "record",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("subject_key", sa.String(length=64), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("item_code", sa.String(length=64), nullable=False),
        sa.Column("provider", sa.String(length=64), nullable=False),
        sa.Column("dedupe_key", sa.String(length=64), nullable=False),
        sa.Column("document_type", sa.String(length=100), nullable=True),
        sa.Column("document_number", sa.String(length=128), nullable=True),
        sa.Column("decision_date", sa.Date(), nullable=True),
        sa.Column("severity", sa.String(length=16), nullable=True),
        sa.Column("lenient", sa.String(length=32), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("public_until", sa.Date(), nullable=True),
        sa.Column("earliest_repair", sa.Date(), nullable=True),
        sa.Column("route", sa.String(length=16), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"], ["catalog_item.id"], name=op.f("fk_record_item_id_catalog_item")
        ),
        sa.ForeignKeyConstraint(["job_id"], ["import_job.id"], name=op.f("fk_record_job_id_import_job")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_record_dedupe_key")),
    )
    with op.batch_alter_table("record", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_record_item_code"), ["item_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_record_job_id"), ["job_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_record_provider"), ["provider"], unique=False)
        batch_op.create_index(batch_op.f("ix_record_subject_key"), ["subject_key"], unique=False)

    op.create_table(
        "record_version",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("record_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("subject_key", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("procedure", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("actor_label", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"], ["record.id"], name=op.f("fk_record_version_record_id_record")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_version")),
    )
    with op.batch_alter_table("record_version", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_record_version_record_id"), ["record_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_record_version_subject_key"), ["subject_key"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("record_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_record_version_subject_key"))
        batch_op.drop_index(batch_op.f("ix_record_version_record_id"))

    op.drop_table("record_version")
    with op.batch_alter_table("record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_record_subject_key"))
        batch_op.drop_index(batch_op.f("ix_record_provider"))
        batch_op.drop_index(batch_op.f("ix_record_job_id"))
        batch_op.drop_index(batch_op.f("ix_record_item_code"))

    op.drop_table("record")
    with op.batch_alter_table("import_reject", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_reject_job_id"))

    op.drop_table("import_reject")
    with op.batch_alter_table("import_job", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_job_provider"))

    op.drop_table("import_job")
