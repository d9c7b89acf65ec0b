"""Repair cases with their evidence and publicity objections, and interviews (REP-1..REP-6).

``repair.service`` is the only writer. Every table carries the subject key, like every table that grows with
subjects (DESIGN principle 6).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.db.base import Base
from xinyong.records.models import BigId


class RepairCase(Base):
    """One application to repair one negative record, from filing to the repair applied or refused."""

    __tablename__ = "repair_case"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    subject_key: Mapped[str] = mapped_column(String(64), index=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("record.id"), index=True)
    provider: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    ways: Mapped[str] = mapped_column(String(500))  # JSON list of way codes
    correction: Mapped[str] = mapped_column(Text)
    corrected_on: Mapped[date] = mapped_column(Date)
    commitment: Mapped[str | None] = mapped_column(Text)
    reorganization_ruling: Mapped[str | None] = mapped_column(String(128))
    reorganization_on: Mapped[date | None] = mapped_column(Date)
    filed_on: Mapped[date] = mapped_column(Date)
    filed_by: Mapped[str] = mapped_column(String(200))
    agrees: Mapped[bool | None] = mapped_column(Boolean)
    opinion: Mapped[str | None] = mapped_column(Text)
    opinion_on: Mapped[date | None] = mapped_column(Date)
    publicity_until: Mapped[date | None] = mapped_column(Date, index=True)
    decided_on: Mapped[date | None] = mapped_column(Date)
    reasons: Mapped[str | None] = mapped_column(Text)
    document: Mapped[str | None] = mapped_column(String(32), unique=True)
    document_digest: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RepairFile(Base):
    """Evidence of a way of repair, kept under ``repair/`` in the data directory by its digest."""

    __tablename__ = "repair_file"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("repair_case.id"), index=True)
    subject_key: Mapped[str] = mapped_column(String(64), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    digest: Mapped[str] = mapped_column(String(64))


class RepairObjection(Base):
    """An objection anyone raised during the publicity of a favourable opinion, and its verification."""

    __tablename__ = "repair_objection"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("repair_case.id"), index=True)
    subject_key: Mapped[str] = mapped_column(String(64), index=True)
    text: Mapped[str] = mapped_column(Text)
    contact: Mapped[str] = mapped_column(String(200))
    received_on: Mapped[date] = mapped_column(Date)
    verified_on: Mapped[date | None] = mapped_column(Date)
    upheld: Mapped[bool | None] = mapped_column(Boolean)
    finding: Mapped[str | None] = mapped_column(Text)


class Interview(Base):
    """A reminder or warning interview held during a record's public period (REP-5)."""

    __tablename__ = "interview"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    subject_key: Mapped[str] = mapped_column(String(64), index=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("record.id"), index=True)
    org_code: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    held_on: Mapped[date] = mapped_column(Date)
    department: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(Text)
    actor_label: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
