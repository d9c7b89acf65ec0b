"""List entries, the steps of their procedure, the documents served, and the marks that a black listing
leaves in the archives of an organisation's responsible persons (LIST-2..10).

``lists.service`` is the only writer. An entry's ``status`` moves only forward through its procedure and
every move is a ``list_step`` row with actor, date and text, so the whole due process can be shown.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.db.base import Base
from xinyong.records.models import BigId


class ListEntry(Base):
    """One subject on one list, from proposal (or draft) to removal.

    ``subject_key`` is the subject's key; an entry received with a masked identity number (court lists
    published online) has no key but a ``masked_id`` and a name, and is only ever a probable match.
    """

    __tablename__ = "list_entry"
    __table_args__ = (
        UniqueConstraint("list_type", "source_ref", name="uq_list_entry_list_type_source_ref"),
        Index("ix_list_entry_status_term_end", "status", "term_end"),
        Index(  # a credit check of a few codes looks up the masked forms each could be published as
            "ix_list_entry_masked_id",
            "masked_id",
            postgresql_where=text("masked_id IS NOT NULL"),
            sqlite_where=text("masked_id IS NOT NULL"),
        ),
        # SQLite's statistics count entries without a key (received with a masked number) as one key: where
        # nearly all are such, as on a platform that has received only a court's masked list, it took a key
        # for a thousand rows, and a check walked the status index instead. Without them in the index it
        # plans by the keys. PostgreSQL's statistics count empty keys apart; it keeps the whole index.
        Index("ix_list_entry_subject_key", "subject_key", sqlite_where=text("subject_key IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    list_type: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    subject_key: Mapped[str | None] = mapped_column(String(64))
    subject_name: Mapped[str] = mapped_column(String(200))
    masked_id: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), index=True)
    source: Mapped[str] = mapped_column(String(16))
    source_ref: Mapped[str] = mapped_column(String(200))
    record_id: Mapped[int | None] = mapped_column(ForeignKey("record.id"), index=True)
    determining_org: Mapped[str] = mapped_column(String(64), index=True)
    reasons: Mapped[str] = mapped_column(Text)
    measures: Mapped[str] = mapped_column(Text, default="[]")
    noticed_on: Mapped[date | None] = mapped_column(Date)
    defence_until: Mapped[date | None] = mapped_column(Date)
    publicity_until: Mapped[date | None] = mapped_column(Date)
    entered_on: Mapped[date | None] = mapped_column(Date)
    term_end: Mapped[date | None] = mapped_column(Date)
    removed_on: Mapped[date | None] = mapped_column(Date)
    removal_reason: Mapped[str | None] = mapped_column(String(16))
    removal_text: Mapped[str | None] = mapped_column(String(1000))
    monitoring_until: Mapped[date | None] = mapped_column(Date)
    wrongful: Mapped[bool] = mapped_column(Boolean, default=False)
    recover_benefits: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ListStep(Base):
    """One step of an entry's procedure: proposal, notice, statement, objection, decision, publicity, entry,
    removal, correction; with the document served at that step, if any."""

    __tablename__ = "list_step"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("list_entry.id"), index=True)
    subject_key: Mapped[str | None] = mapped_column(String(64), index=True)
    step: Mapped[str] = mapped_column(String(16))
    on: Mapped[date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    document: Mapped[str | None] = mapped_column(String(32))
    actor_label: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ListDocument(Base):
    """A document served in a list procedure (notice, decision, apology), kept with its digest so the
    subject or anyone it shows the PDF to can verify it."""

    __tablename__ = "list_document"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("list_entry.id"), index=True)
    subject_key: Mapped[str | None] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ListMark(Base):
    """A black listing of an organisation marked in a responsible person's archive (LIST-6)."""

    __tablename__ = "list_mark"
    __table_args__ = (
        UniqueConstraint("entry_id", "person_key", "role", name="uq_list_mark_entry_id_person_key_role"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("list_entry.id"), index=True)
    person_key: Mapped[str] = mapped_column(String(64), index=True)
    org_key: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ended_on: Mapped[date | None] = mapped_column(Date)
