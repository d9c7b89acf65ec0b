"""Evaluation runs and the grades they gave, and inspection plans drawn from the grades (EVA-1..3, CHK-1).

``evaluation.service`` is the only writer. Nothing is replaced: every run is kept with the model it used (the
model's text as published, so it can be explained later even if its file is gone) and each subject's
grade in it; the current grade of a subject is the one of the latest finished run. A grade row's id is what
an objection to an evaluation (EVA-4) will point at.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.db.base import Base
from xinyong.records.models import BigId


class EvaluationRun(Base):
    """One evaluation of every subject the model covers, as of one day."""

    __tablename__ = "evaluation_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_code: Mapped[str] = mapped_column(String(64))
    model_version: Mapped[str] = mapped_column(String(32))
    model: Mapped[str] = mapped_column(Text)  # the model as JSON, as it was applied
    states: Mapped[str] = mapped_column(String(200))  # record states that counted (JSON list)
    as_of: Mapped[date] = mapped_column(Date, index=True)
    subjects: Mapped[int] = mapped_column(Integer, default=0)
    grades: Mapped[str] = mapped_column(Text, default="{}")  # subjects per grade (JSON)
    actor_label: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class EvaluationGrade(Base):
    """A subject's score (in hundredths of a point, 0–10000), grade and per-indicator values in one run."""

    __tablename__ = "evaluation_grade"
    __table_args__ = (
        UniqueConstraint("run_id", "subject_key", name="uq_evaluation_grade_run_id_subject_key"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("evaluation_run.id"))
    subject_key: Mapped[str] = mapped_column(String(64), index=True)
    score: Mapped[int] = mapped_column(Integer)
    grade: Mapped[str] = mapped_column(String(8))
    values: Mapped[str] = mapped_column(Text)  # {indicator code: [value, points]}


class EvaluationReview(Base):
    """An objection to a grade (EVA-4): ``open`` while the case runs (the grade carries the objection
    mark), then ``confirmed`` or ``corrected`` with the score and grade of a recomputation. The grade row
    itself never changes; the latest correction is the grade as it stands."""

    __tablename__ = "evaluation_review"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    grade_id: Mapped[int] = mapped_column(ForeignKey("evaluation_grade.id"), index=True)
    subject_key: Mapped[str] = mapped_column(String(64), index=True)
    objection: Mapped[str] = mapped_column(String(32), unique=True)
    status: Mapped[str] = mapped_column(String(16))
    score: Mapped[int | None] = mapped_column(Integer)
    grade: Mapped[str | None] = mapped_column(String(8))
    values: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class InspectionPlan(Base):
    """A 双随机 inspection plan: its inputs (population, inspectors, ratios, seed) and when and by whom it
    was drawn; the same inputs and seed draw the same sample (EVA-2)."""

    __tablename__ = "inspection_plan"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    run_id: Mapped[int] = mapped_column(ForeignKey("evaluation_run.id"))
    seed: Mapped[str] = mapped_column(String(64))
    inputs: Mapped[str] = mapped_column(Text)  # population, inspectors, ratios, inspectors per subject (JSON)
    population: Mapped[int] = mapped_column(Integer)
    sampled: Mapped[int] = mapped_column(Integer)
    actor_label: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class InspectionPick(Base):
    """One subject drawn for inspection, with its grade, yearly frequency and the inspectors drawn for it."""

    __tablename__ = "inspection_pick"
    __table_args__ = (
        UniqueConstraint("plan_id", "subject_key", name="uq_inspection_pick_plan_id_subject_key"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("inspection_plan.id"), index=True)
    subject_key: Mapped[str] = mapped_column(String(64), index=True)
    grade: Mapped[str] = mapped_column(String(8))
    frequency: Mapped[int] = mapped_column(Integer)
    inspectors: Mapped[str] = mapped_column(Text)  # inspector ids (JSON list)
