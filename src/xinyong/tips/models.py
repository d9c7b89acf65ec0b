"""Tips and complaints from the public (PUB-1). ``tips.service`` writes them; the due dates of their steps
live in the shared ``deadline`` table under kind ``tip``.

Who reported is kept apart, in ``tip_reporter``: the tip row, every listing, the steps, the audit log and
the outbox never hold the reporter's name or contact, so no query on them can leak it (JS-J 十五).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.db.base import Base
from xinyong.records.models import BigId


class Tip(Base):
    """One tip (举报) or complaint (投诉) about a subject, routed to the department that handles it."""

    __tablename__ = "tip"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(64))
    # The reported subject: its code when the reporter gave one (validated), else only the name typed.
    subject_key: Mapped[str | None] = mapped_column(String(64), index=True)
    subject_name: Mapped[str | None] = mapped_column(String(200))
    facts: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True)
    org_code: Mapped[str] = mapped_column(String(64), index=True)
    routes: Mapped[int] = mapped_column(Integer)
    filed_on: Mapped[date] = mapped_column(Date)
    # SHA-256 of what was reported, to refuse the same tip sent again within the window.
    fingerprint: Mapped[str] = mapped_column(String(64), index=True)
    # The follow-up code, kept only as an HMAC under the deployment's secret key.
    code_hash: Mapped[str] = mapped_column(String(64))
    answer: Mapped[str | None] = mapped_column(Text)
    answered_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class TipReporter(Base):
    """Who reported and how to reach them; read only by the handling department, each read audited."""

    __tablename__ = "tip_reporter"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tip_id: Mapped[int] = mapped_column(ForeignKey("tip.id"), unique=True)
    anonymous: Mapped[bool] = mapped_column(Boolean)
    name: Mapped[str | None] = mapped_column(String(100))
    contact: Mapped[str | None] = mapped_column(String(200))
    account_id: Mapped[int | None] = mapped_column(Integer)


class TipFile(Base):
    """A file of the tip: the reporter's evidence or the department's answer document."""

    __tablename__ = "tip_file"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tip_id: Mapped[int] = mapped_column(ForeignKey("tip.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    filename: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(32))
    size: Mapped[int] = mapped_column(Integer)
    digest: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class TipStep(Base):
    """What happened and when: filed, routed, accepted, refused, answered."""

    __tablename__ = "tip_step"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tip_id: Mapped[int] = mapped_column(ForeignKey("tip.id"), index=True)
    step: Mapped[str] = mapped_column(String(32))
    on: Mapped[date] = mapped_column(Date)
    org_code: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    actor_label: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
