"""Government integrity tables (GOV-1..GOV-4). ``government.service``, ``.contracts`` and ``.evaluation`` are
their only writers; every table that grows with subjects carries the subject key (DESIGN principle 6).

Government dishonesty itself is not here: it is a credit record of the catalog item
``government-dishonesty`` in the one records path.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.db.base import Base
from xinyong.records.models import BigId

Money = Numeric(20, 2)


class Region(Base):
    """An administrative division (行政区划代码) whose government integrity is evaluated (GOV-4)."""

    __tablename__ = "government_region"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Body(Base):
    """A government body (机关、事业单位) with a government integrity archive, keyed by its USCC (GOV-1)."""

    __tablename__ = "government_body"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject_key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    region_code: Mapped[str] = mapped_column(String(12), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CivilServant(Base):
    """A civil servant (a natural person keyed by citizen ID) with the body and post they hold (GOV-1)."""

    __tablename__ = "government_civil_servant"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject_key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    body_key: Mapped[str] = mapped_column(String(64), index=True)
    post: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ArchiveEntry(Base):
    """One entry of a body's or civil servant's archive under a dimension the regulation names; its current
    version. Every version, the first included, is kept in ``government_archive_version``."""

    __tablename__ = "government_archive_entry"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    subject_key: Mapped[str] = mapped_column(String(64), index=True)
    holder: Mapped[str] = mapped_column(String(16))  # body or servant
    dimension: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)
    score: Mapped[int | None] = mapped_column(Integer)  # satisfaction, out of 100
    year: Mapped[int | None] = mapped_column(Integer)  # the year an appraisal or survey is for
    grade: Mapped[str | None] = mapped_column(String(16))  # the annual appraisal's grade
    document_number: Mapped[str | None] = mapped_column(String(128))
    recorded_on: Mapped[date] = mapped_column(Date)
    department: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ArchiveVersion(Base):
    """What an archive entry said at each version, why it changed and who changed it."""

    __tablename__ = "government_archive_version"
    __table_args__ = (UniqueConstraint("entry_id", "version", name="uq_government_archive_version_entry"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("government_archive_entry.id"), index=True)
    subject_key: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer)
    data: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(String(500))
    actor_label: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Exemption(Base):
    """A fault-tolerance decision (容错纠错认定): the case it covers is not a government dishonesty record
    (JS-G 二(三), 二(六)). Kept in the archive whether the case was refused on delivery or withdrawn."""

    __tablename__ = "government_exemption"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    subject_key: Mapped[str] = mapped_column(String(64), index=True)
    case_document: Mapped[str] = mapped_column(String(128))  # the judgment or decision the case rests on
    facts: Mapped[str] = mapped_column(Text)
    document_number: Mapped[str] = mapped_column(String(128))  # the exemption decision's own number
    authority: Mapped[str] = mapped_column(String(200))
    decided_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    record_id: Mapped[int | None] = mapped_column(ForeignKey("record.id"), index=True)
    provider: Mapped[str] = mapped_column(String(64))
    actor_label: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Commitment(Base):
    """A government commitment or contract: policy promise, procurement, PPP, investment (GOV-3)."""

    __tablename__ = "government_commitment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    subject_key: Mapped[str] = mapped_column(String(64), index=True)  # the government body
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    counterparty_name: Mapped[str] = mapped_column(String(200))
    counterparty_key: Mapped[str | None] = mapped_column(String(64), index=True)
    content: Mapped[str] = mapped_column(Text)
    amount: Mapped[Decimal | None] = mapped_column(Money)
    signed_on: Mapped[date] = mapped_column(Date)
    published: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Obligation(Base):
    """One obligation of the government under a commitment, with its due date and how it went."""

    __tablename__ = "government_obligation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("government_commitment.id"), index=True)
    subject_key: Mapped[str] = mapped_column(String(64), index=True)
    description: Mapped[str] = mapped_column(String(500))
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    fulfilled_on: Mapped[date | None] = mapped_column(Date)
    overdue_since: Mapped[date | None] = mapped_column(Date)
    record_id: Mapped[int | None] = mapped_column(
        ForeignKey("record.id")
    )  # the dishonesty record of a breach
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CommitmentChange(Base):
    """A change or termination by the government, with the legal procedure behind it (LN 46, JS-G 三(四))."""

    __tablename__ = "government_commitment_change"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("government_commitment.id"), index=True)
    subject_key: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # change or termination
    obligation_id: Mapped[int | None] = mapped_column(ForeignKey("government_obligation.id"))
    new_due_on: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    legal_basis: Mapped[str] = mapped_column(String(500))
    document_number: Mapped[str] = mapped_column(String(128))
    approved_by: Mapped[str] = mapped_column(String(200))
    decided_on: Mapped[date] = mapped_column(Date)
    compensated: Mapped[bool] = mapped_column(Boolean)
    compensation: Mapped[str] = mapped_column(Text)
    actor_label: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DebtFigure(Base):
    """A region's government debt balance and comprehensive fiscal capacity for one year (GOV-4)."""

    __tablename__ = "government_debt"
    __table_args__ = (UniqueConstraint("region_code", "year", name="uq_government_debt_region_year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region_code: Mapped[str] = mapped_column(String(12), index=True)
    year: Mapped[int] = mapped_column(Integer)
    debt_balance: Mapped[Decimal] = mapped_column(Money)
    fiscal_capacity: Mapped[Decimal] = mapped_column(Money)
    source: Mapped[str] = mapped_column(String(200))
    actor_label: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class EvaluationRun(Base):
    """One regional evaluation as of a day; what the public page shows is the latest run."""

    __tablename__ = "government_evaluation_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    as_of: Mapped[date] = mapped_column(Date)
    regions: Mapped[int] = mapped_column(Integer)
    actor_label: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RegionScore(Base):
    """One region's result in one run: its score, grade and each indicator's value and score (JSON)."""

    __tablename__ = "government_region_score"
    __table_args__ = (UniqueConstraint("run_id", "region_code", name="uq_government_region_score_run"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("government_evaluation_run.id"), index=True)
    region_code: Mapped[str] = mapped_column(String(12))
    score: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    grade: Mapped[str] = mapped_column(String(8))
    indicators: Mapped[str] = mapped_column(Text)
