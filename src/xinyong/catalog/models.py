"""Catalog versions and their items; a record points at the item row of the version it came under (CAT-5)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from xinyong.db.base import Base


class CatalogVersion(Base):
    __tablename__ = "catalog_version"
    __table_args__ = (UniqueConstraint("scope", "version", name="uq_catalog_version_scope_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[str] = mapped_column(String(16))  # national | local
    version: Mapped[str] = mapped_column(String(64))
    effective_from: Mapped[date] = mapped_column(Date)
    approved_by: Mapped[str] = mapped_column(String(500))
    source: Mapped[str] = mapped_column(String(500))
    digest: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    items: Mapped[list[CatalogItem]] = relationship(back_populates="version", order_by="CatalogItem.id")


class CatalogItem(Base):
    """One item as a version defines it; ``definition`` keeps the whole item (fields, periods) as JSON."""

    __tablename__ = "catalog_item"
    __table_args__ = (UniqueConstraint("version_id", "code", name="uq_catalog_item_version_id_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("catalog_version.id"), index=True)
    code: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(16))
    disclosure: Mapped[str] = mapped_column(String(16))
    definition: Mapped[str] = mapped_column(Text)

    version: Mapped[CatalogVersion] = relationship(back_populates="items", lazy="joined")
