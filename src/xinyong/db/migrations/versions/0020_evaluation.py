"""evaluation runs and grades, inspection plans and the subjects they drew (EVA-1, EVA-2, EVA-3)

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-26 19:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

# 64-bit ids on PostgreSQL, SQLite's rowid integer there (records.models.BigId).
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "evaluation_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("model_code", sa.String(length=64), nullable=False),
        sa.Column("model_version", sa.String(length=32), nullable=False),
        sa.Column("model", sa.Text(), nullable=False),
        sa.Column("states", sa.String(length=200), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("subjects", sa.Integer(), nullable=False),
        sa.Column("grades", sa.Text(), nullable=False),
        sa.Column("actor_label", sa.String(length=200), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_run")),
    )
    op.create_index(op.f("ix_evaluation_run_as_of"), "evaluation_run", ["as_of"], unique=False)
    op.create_table(
        "evaluation_grade",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("subject_key", sa.String(length=64), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("grade", sa.String(length=8), nullable=False),
        sa.Column("values", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["evaluation_run.id"], name=op.f("fk_evaluation_grade_run_id_evaluation_run")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_grade")),
        sa.UniqueConstraint("run_id", "subject_key", name="uq_evaluation_grade_run_id_subject_key"),
    )
    op.create_index(
        op.f("ix_evaluation_grade_subject_key"), "evaluation_grade", ["subject_key"], unique=False
    )
    op.create_table(
        "evaluation_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("grade_id", BIG_ID, nullable=False),
        sa.Column("subject_key", sa.String(length=64), nullable=False),
        sa.Column("objection", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("grade", sa.String(length=8), nullable=True),
        sa.Column("values", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["grade_id"], ["evaluation_grade.id"], name=op.f("fk_evaluation_review_grade_id_evaluation_grade")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_review")),
        sa.UniqueConstraint("objection", name=op.f("uq_evaluation_review_objection")),
    )
    op.create_index(op.f("ix_evaluation_review_grade_id"), "evaluation_review", ["grade_id"], unique=False)
    op.create_index(
        op.f("ix_evaluation_review_subject_key"), "evaluation_review", ["subject_key"], unique=False
    )
    op.create_table(
        "inspection_plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("seed", sa.String(length=64), nullable=False),
        sa.Column("inputs", sa.Text(), nullable=False),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.Column("sampled", sa.Integer(), nullable=False),
        sa.Column("actor_label", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["evaluation_run.id"], name=op.f("fk_inspection_plan_run_id_evaluation_run")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_plan")),
        sa.UniqueConstraint("number", name=op.f("uq_inspection_plan_number")),
    )
    op.create_table(
        "inspection_pick",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("subject_key", sa.String(length=64), nullable=False),
        sa.Column("grade", sa.String(length=8), nullable=False),
        sa.Column("frequency", sa.Integer(), nullable=False),
        sa.Column("inspectors", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["inspection_plan.id"], name=op.f("fk_inspection_pick_plan_id_inspection_plan")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_pick")),
        sa.UniqueConstraint("plan_id", "subject_key", name="uq_inspection_pick_plan_id_subject_key"),
    )
    op.create_index(op.f("ix_inspection_pick_plan_id"), "inspection_pick", ["plan_id"], unique=False)
    op.create_index(op.f("ix_inspection_pick_subject_key"), "inspection_pick", ["subject_key"], unique=False)


def downgrade() -> None:
    op.drop_table("inspection_pick")
    op.drop_table("inspection_plan")
    op.drop_table("evaluation_review")
    op.drop_table("evaluation_grade")
    op.drop_table("evaluation_run")
