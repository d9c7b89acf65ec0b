"""A subject's authorizations of named parties to see its non-public information (DIS-4, DIS-5)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, DateTime, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.db.base import Base


class Grant(Base):
    """One written authorization: who may see which items, for what purpose, until when; revocable."""

    __tablename__ = "authorization_grant"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    subject_key: Mapped[str] = mapped_column(String(64), index=True)
    grantee_org: Mapped[str | None] = mapped_column(String(64), index=True)
    grantee_account_id: Mapped[int | None] = mapped_column(Integer, index=True)
    grantee_label: Mapped[str] = mapped_column(String(200))
    items: Mapped[str] = mapped_column(Text)
    purpose: Mapped[str] = mapped_column(String(64))
    valid_until: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Receipt(Base):
    """A record handed to a credit service agency: it must be told when the record may no longer be used
    (DIS-8)."""

    __tablename__ = "disclosure_receipt"
    __table_args__ = (
        UniqueConstraint("org_code", "record_id", name="uq_disclosure_receipt_org_code_record_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    org_code: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[int] = mapped_column(BigInteger, index=True)
    subject_key: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CreditReport(Base):
    """An issued credit report (DIS-7, DIS-10): what it covered and the digest of the exact PDF handed out,
    so anyone holding the number and verification code can tell a genuine copy from an altered one."""

    __tablename__ = "credit_report"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    subject_key: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    as_of: Mapped[date] = mapped_column(Date)
    scope: Mapped[str] = mapped_column(Text, default="{}")
    issued_to: Mapped[str] = mapped_column(String(200))
    digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
