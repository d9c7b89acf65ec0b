"""Where each destination's exchange left off: the next increment starts after these watermarks (INT-1)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.db.base import Base
from xinyong.records.models import BigId


class ExchangeWatermark(Base):
    """The last record version and list step a destination was sent, and the package that carried them."""

    __tablename__ = "exchange_watermark"

    destination: Mapped[str] = mapped_column(String(64), primary_key=True)
    record_version: Mapped[int] = mapped_column(BigId)
    list_step: Mapped[int] = mapped_column(BigId)
    package: Mapped[str] = mapped_column(String(255))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
