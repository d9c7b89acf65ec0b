"""The audit log tables: a hash chain of events and the head that every append advances.

``service.py`` is the only writer. Nothing here has a foreign key: the log must survive whatever later
happens to accounts, organisations or records.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, DateTime, Dialect, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from xinyong.db.base import Base

GENESIS_HASH = "0" * 64


class UTCDateTime(TypeDecorator[datetime]):
    """An aware datetime stored in UTC and read back aware.

    SQLite drops the offset of an aware value without converting it, and PostgreSQL answers in the
    session's time zone; both would change the ISO text the chain hashes. Storing UTC makes it stable.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("audit times must carry a time zone")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class AuditEvent(Base):
    """One thing that was read or changed, chained to the event before it by ``prev_hash``."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_subject_key_seq", "subject_key", "seq"),)

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor_account_id: Mapped[int | None] = mapped_column(Integer)
    actor_org: Mapped[str | None] = mapped_column(String(64))
    actor_label: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64))
    target_type: Mapped[str | None] = mapped_column(String(64))
    target_id: Mapped[str | None] = mapped_column(String(200))
    # The credit subject concerned (USCC or citizen ID): its access log is one indexed query, and
    # PostgreSQL can shard by it (DESIGN principle 6).
    subject_key: Mapped[str | None] = mapped_column(String(64))
    purpose: Mapped[str | None] = mapped_column(String(64))
    request_id: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The single row (id 1) naming the last event; locking it serialises appends to the chain."""

    __tablename__ = "audit_head"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger)
    last_hash: Mapped[str] = mapped_column(String(64))
