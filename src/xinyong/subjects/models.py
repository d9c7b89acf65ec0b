"""Credit subjects, one archive each (SUB-3), and the related persons of organisations (SUB-4)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.db.base import Base


class Subject(Base):
    """A company, organisation, government body or person, keyed by its identifier (SUB-2).

    ``key`` is the compact USCC or citizen ID; another identity document is keyed ``type:number`` so two
    kinds of document can never collide. Every table that grows with subjects carries this key.
    """

    __tablename__ = "subject"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    id_kind: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    name_search: Mapped[str] = mapped_column(String(200), index=True)
    basic: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RelatedPerson(Base):
    """A person holding a role in an organisation: list measures may reach them (LIST-6)."""

    __tablename__ = "related_person"
    __table_args__ = (
        UniqueConstraint(
            "subject_key", "role", "person_key", name="uq_related_person_subject_key_role_person"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject_key: Mapped[str] = mapped_column(String(64), index=True)
    role: Mapped[str] = mapped_column(String(32))
    person_key: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(100))
    since: Mapped[date | None] = mapped_column(Date)
    until: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
