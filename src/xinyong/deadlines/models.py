"""The due date of every step of every subject-rights case (objection, revocation, repair): one table, so one
sweep reminds and one queue shows them all (OBJ-3, OBJ-4, REV-1, REP-3). ``deadlines.service`` writes it."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.db.base import Base


class Deadline(Base):
    """One step of one case that an organisation must finish within ``days`` working days of
    ``started_on``; ``due_on`` moves out by the working days of every pause (OBJ-4)."""

    __tablename__ = "deadline"
    __table_args__ = (
        UniqueConstraint("kind", "case_number", "step", name="uq_deadline_kind_case_number_step"),
        Index("ix_deadline_open_due_on", "done_on", "due_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    case_number: Mapped[str] = mapped_column(String(40), index=True)
    step: Mapped[str] = mapped_column(String(32))
    label: Mapped[str] = mapped_column(String(200))
    basis: Mapped[str] = mapped_column(String(500))
    subject_key: Mapped[str] = mapped_column(String(64), index=True)
    org_code: Mapped[str] = mapped_column(String(64), index=True)
    started_on: Mapped[date] = mapped_column(Date)
    days: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[date] = mapped_column(Date)
    paused_since: Mapped[date | None] = mapped_column(Date)
    done_on: Mapped[date | None] = mapped_column(Date)
    reminded_on: Mapped[date | None] = mapped_column(Date)
    flagged_on: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DeadlinePause(Base):
    """Time for testing, inspection, quarantine, appraisal or expert review: not counted (OBJ-4)."""

    __tablename__ = "deadline_pause"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    deadline_id: Mapped[int] = mapped_column(ForeignKey("deadline.id"), index=True)
    subject_key: Mapped[str] = mapped_column(String(64), index=True)  # its deadline's, to distribute by
    reason: Mapped[str] = mapped_column(String(32))
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date | None] = mapped_column(Date)
