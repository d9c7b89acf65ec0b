"""Messages the platform owes other systems, written in the same transaction as the change behind them and
delivered afterwards (DESIGN: side effects after the commit); where each organisation wants them pushed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.db.base import Base

PENDING, DELIVERED, DEAD = "pending", "delivered", "dead"


class OutboxMessage(Base):
    """One message to one organisation; ``dedupe_key`` makes queueing it twice a no-op.

    ``status`` is pending until the receiver took it (a 2xx from its webhook, or an ack when it pulls), and
    dead once the webhook failed ``webhook_max_attempts`` times; ``next_attempt_at`` is when a pending
    message may next be pushed.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_status_next_attempt_at", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    org_code: Mapped[str] = mapped_column(String(64), index=True)
    subject_key: Mapped[str | None] = mapped_column(String(64), index=True)
    payload: Mapped[str] = mapped_column(Text)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(String(500))


class OrgWebhook(Base):
    """Where an organisation's messages are pushed, and the secret that signs them (kept readable: signing
    needs it). An organisation without an active one pulls its messages instead."""

    __tablename__ = "org_webhook"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_code: Mapped[str] = mapped_column(String(64), unique=True)
    url: Mapped[str] = mapped_column(String(500))
    secret: Mapped[str] = mapped_column(String(128))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
