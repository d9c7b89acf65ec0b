"""subjects: credit subjects keyed by identifier, related persons of organisations

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "subject",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("id_kind", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("name_search", sa.String(200), nullable=False),
        sa.Column("basic", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subject")),
        sa.UniqueConstraint("key", name=op.f("uq_subject_key")),
    )
    op.create_index(op.f("ix_subject_name_search"), "subject", ["name_search"])
    op.create_table(
        "related_person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_key", sa.String(64), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("person_key", sa.String(64), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("since", sa.Date(), nullable=True),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_related_person")),
        sa.UniqueConstraint(
            "subject_key", "role", "person_key", name="uq_related_person_subject_key_role_person"
        ),
    )
    op.create_index(op.f("ix_related_person_subject_key"), "related_person", ["subject_key"])
    op.create_index(op.f("ix_related_person_person_key"), "related_person", ["person_key"])


def downgrade() -> None:
    op.drop_table("related_person")
    op.drop_table("subject")
