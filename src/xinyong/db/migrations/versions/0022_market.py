"""market credit information and credit service agencies: consents to collect, the agency registry and
providers' authorizations of agencies (MKT-1, MKT-3)

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-26 19:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "market_consent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("subject_key", sa.String(length=64), nullable=False),
        sa.Column("collector", sa.String(length=64), nullable=False),
        sa.Column("kinds", sa.Text(), nullable=False),
        sa.Column("method", sa.String(length=32), nullable=False),
        sa.Column("use", sa.String(length=32), nullable=False),
        sa.Column("told", sa.Text(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.String(length=16), nullable=False),
        sa.Column("document_name", sa.String(length=200), nullable=True),
        sa.Column("document_type", sa.String(length=32), nullable=True),
        sa.Column("document_digest", sa.String(length=64), nullable=True),
        sa.Column("actor_label", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_market_consent")),
        sa.UniqueConstraint("number", name=op.f("uq_market_consent_number")),
    )
    op.create_index(op.f("ix_market_consent_subject_key"), "market_consent", ["subject_key"], unique=False)
    op.create_index(op.f("ix_market_consent_collector"), "market_consent", ["collector"], unique=False)
    op.create_table(
        "credit_agency",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_code", sa.String(length=64), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("filing_number", sa.String(length=64), nullable=False),
        sa.Column("registered_on", sa.Date(), nullable=False),
        sa.Column("business_scope", sa.String(length=500), nullable=False),
        sa.Column("commitment", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("status_reason", sa.String(length=500), nullable=True),
        sa.Column("status_since", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_agency")),
        sa.UniqueConstraint("org_code", name=op.f("uq_credit_agency_org_code")),
        sa.UniqueConstraint("uscc", name=op.f("uq_credit_agency_uscc")),
        sa.UniqueConstraint("filing_number", name=op.f("uq_credit_agency_filing_number")),
    )
    op.create_table(
        "agency_grant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("provider", sa.String(length=64), nullable=False),
        sa.Column("agency", sa.String(length=64), nullable=False),
        sa.Column("items", sa.Text(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("actor_label", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agency_grant")),
        sa.UniqueConstraint("number", name=op.f("uq_agency_grant_number")),
    )
    op.create_index(op.f("ix_agency_grant_provider"), "agency_grant", ["provider"], unique=False)
    op.create_index(op.f("ix_agency_grant_agency"), "agency_grant", ["agency"], unique=False)


def downgrade() -> None:
    op.drop_table("agency_grant")
    op.drop_table("credit_agency")
    op.drop_table("market_consent")
