"""Consents to collect market credit information, the registry of credit service agencies, and providers'
authorizations of agencies (MKT-1, MKT-3). Market credit information itself is kept as credit records."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.db.base import Base


class Consent(Base):
    """A subject's consent that one collector collects named kinds of its market credit information, by a
    stated method, for one use, until a stated day, after it was told its rights; revocable (MKT-1).
    Given by the subject online, or recorded by the collector with the signed consent document."""

    __tablename__ = "market_consent"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    subject_key: Mapped[str] = mapped_column(String(64), index=True)
    collector: Mapped[str] = mapped_column(String(64), index=True)
    kinds: Mapped[str] = mapped_column(Text)  # JSON list of kind codes (data/market.toml)
    method: Mapped[str] = mapped_column(String(32))
    use: Mapped[str] = mapped_column(String(32))
    told: Mapped[str] = mapped_column(Text)  # JSON list: what the subject was told (content, rights ...)
    valid_until: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(16))  # subject | collector
    document_name: Mapped[str | None] = mapped_column(String(200))
    document_type: Mapped[str | None] = mapped_column(String(32))
    document_digest: Mapped[str | None] = mapped_column(String(64))
    actor_label: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Agency(Base):
    """A registered credit service agency (JN 45; CT 49): an organisation of kind ``agency`` and a credit
    subject with its own archive under its USCC; its status decides whether it is given anything."""

    __tablename__ = "credit_agency"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_code: Mapped[str] = mapped_column(String(64), unique=True)
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    filing_number: Mapped[str] = mapped_column(String(64), unique=True)
    registered_on: Mapped[date] = mapped_column(Date)
    business_scope: Mapped[str] = mapped_column(String(500))
    commitment: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))  # active | suspended | cancelled
    status_reason: Mapped[str | None] = mapped_column(String(500))
    status_since: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AgencyGrant(Base):
    """A provider's authorization of an agency to receive the named items it delivered, until a stated
    day; revocable (CT 53)."""

    __tablename__ = "agency_grant"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    provider: Mapped[str] = mapped_column(String(64), index=True)
    agency: Mapped[str] = mapped_column(String(64), index=True)
    items: Mapped[str] = mapped_column(Text)  # JSON list of catalog item codes
    valid_until: Mapped[date] = mapped_column(Date)
    actor_label: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
