"""Joint rewards-and-punishments tasks, the organisations that carry each duty, and the log of credit checks
(MEA-6, CHK-2). ``measures.service`` and ``measures.check`` are the only writers."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.db.base import Base
from xinyong.records.models import BigId


class Implementer(Base):
    """Which organisation of this deployment carries a duty the measure list names (``bidding`` …)."""

    __tablename__ = "implementer"
    __table_args__ = (UniqueConstraint("duty", "org_code", name="uq_implementer_duty_org_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    duty: Mapped[str] = mapped_column(String(32), index=True)
    org_code: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RpTask(Base):
    """One measure of one entry for one implementing organisation: pushed → responded → implemented →
    fed back; ``ended_on`` when the entry left its list and the measure must stop (MEA-6, MEA-8)."""

    __tablename__ = "rp_task"
    __table_args__ = (
        UniqueConstraint("entry_id", "measure", "org_code", name="uq_rp_task_entry_id_measure_org_code"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("list_entry.id"), index=True)
    subject_key: Mapped[str | None] = mapped_column(String(64), index=True)
    list_type: Mapped[str] = mapped_column(String(64))
    measure: Mapped[str] = mapped_column(String(64))
    org_code: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(16))
    pushed_on: Mapped[date] = mapped_column(Date)
    respond_by: Mapped[date] = mapped_column(Date, index=True)
    responded_on: Mapped[date | None] = mapped_column(Date)
    implemented_on: Mapped[date | None] = mapped_column(Date)
    fed_back_on: Mapped[date | None] = mapped_column(Date)
    feedback: Mapped[str | None] = mapped_column(Text)
    reminded_on: Mapped[date | None] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CreditCheck(Base):
    """One credit check, single or batch (CHK-2): who checked, in which scenario, for what purpose, and
    every code's verdict (compressed JSON lines, so a 100,000-code batch is one row)."""

    __tablename__ = "credit_check"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    org_code: Mapped[str] = mapped_column(String(64), index=True)
    actor_label: Mapped[str] = mapped_column(String(200))
    scenario: Mapped[str] = mapped_column(String(32))
    purpose: Mapped[str] = mapped_column(String(200))
    as_of: Mapped[date] = mapped_column(Date)
    total: Mapped[int] = mapped_column(Integer)
    intercepted: Mapped[int] = mapped_column(Integer)
    warned: Mapped[int] = mapped_column(Integer)
    errors: Mapped[int] = mapped_column(Integer)
    results: Mapped[bytes] = mapped_column(LargeBinary)
    certificate_digest: Mapped[str | None] = mapped_column(String(64))
    summary: Mapped[str] = mapped_column(Text, default="{}")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
