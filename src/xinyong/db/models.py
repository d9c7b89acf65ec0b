"""Platform tables that belong to no single capability."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.db.base import Base


class ReferenceDataset(Base):
    """Which version of each shipped reference dataset this database was loaded with.

    ``xinyong init`` compares the file's digest with the row to reload only what changed, so that
    running it again is harmless.
    """

    __tablename__ = "reference_dataset"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    digest: Mapped[str] = mapped_column(String(64))
    entries: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(500))
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
