"""Objection cases, their evidence and their steps (OBJ-1..OBJ-5). ``objections.service`` writes them; the due
dates of the steps live in the shared ``deadline`` table under kind ``objection``."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.db.base import Base
from xinyong.records.models import BigId


class Objection(Base):
    """One objection against one target: a credit record (``record``, by id) or a list entry (``list_entry``,
    by number). ``target_kind`` leaves room for an evaluation once evaluations exist (EVA-4)."""

    __tablename__ = "objection"
    __table_args__ = (Index("ix_objection_target_kind_target_ref", "target_kind", "target_ref"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    subject_key: Mapped[str] = mapped_column(String(64), index=True)
    target_kind: Mapped[str] = mapped_column(String(16))
    target_ref: Mapped[str] = mapped_column(String(64))
    target_label: Mapped[str] = mapped_column(String(300))
    provider_org: Mapped[str] = mapped_column(String(64), index=True)
    grounds: Mapped[str] = mapped_column(String(32))
    statement: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True)
    filed_on: Mapped[date] = mapped_column(Date)
    filed_by: Mapped[str] = mapped_column(String(200))
    verification: Mapped[str | None] = mapped_column(String(16))
    verification_text: Mapped[str | None] = mapped_column(Text)
    corrected_data: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(String(16))
    outcome_text: Mapped[str | None] = mapped_column(Text)
    decided_on: Mapped[date | None] = mapped_column(Date)
    reply_number: Mapped[str | None] = mapped_column(String(32), unique=True)
    reply_digest: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ObjectionEvidence(Base):
    """A file the applicant gave as evidence, kept under the data directory with its SHA-256."""

    __tablename__ = "objection_evidence"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    objection_id: Mapped[int] = mapped_column(ForeignKey("objection.id"), index=True)
    subject_key: Mapped[str] = mapped_column(String(64), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(32))
    size: Mapped[int] = mapped_column(Integer)
    digest: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ObjectionStep(Base):
    """What happened in a case and when: filed, marked, referred, verified, paused, decided, appealed."""

    __tablename__ = "objection_step"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    objection_id: Mapped[int] = mapped_column(ForeignKey("objection.id"), index=True)
    subject_key: Mapped[str] = mapped_column(String(64), index=True)
    step: Mapped[str] = mapped_column(String(32))
    on: Mapped[date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(String(200))
    actor_label: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
