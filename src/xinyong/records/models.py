"""Credit records, their version history, and the import jobs that bring them with their rejected rows.

A record is never updated in place without a version row: ``records.service`` is the only writer, and every
state it gives a record is kept in ``record_version`` with the reason and the procedure behind it (SEC-1).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
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

# 64-bit ids on PostgreSQL, SQLite's own rowid integer there.
BigId = BigInteger().with_variant(Integer, "sqlite")
MAX_ID = 2**63 - 1  # the largest id either database can hold: a larger number names no record
# A record's states. ``active`` and ``objection`` (marked while an objection is handled, OBJ-2) stand: they
# count in checks and lists. The others are kept, versioned, out of every public view: ``archived`` (public
# period over, PER-2), ``withdrawn`` (by its provider, ING-7), ``repaired`` (REP-4), ``revoked`` (basis
# document revoked or void, REV-1), ``deleted`` (unverifiable, OBJ-4; positive information deleted at the
# subject's request, REP-7).
STANDING_STATES = ("active", "objection")
STATES = (*STANDING_STATES, "archived", "withdrawn", "repaired", "revoked", "deleted")
# Records that stand and show (an objection marks a record, it does not suspend its use), as SQL.
STANDING = "state IN ('active', 'objection') AND published"


class Record(Base):
    __tablename__ = "record"
    # The daily sweep looks for active records whose public period ended (PER-2).
    # A credit check counts the standing, published records of up to 100,000 subjects from the index alone:
    # PostgreSQL reads no table rows, SQLite none it does not count (measures.check).
    __table_args__ = (
        Index("ix_record_state_public_until", "state", "public_until"),
        Index(
            "ix_record_standing_subject_key",
            "subject_key",
            postgresql_include=["item_code", "state", "public_until", "decision_date", "lenient"],
            postgresql_where=text(STANDING),
            sqlite_where=text(STANDING),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    subject_key: Mapped[str] = mapped_column(String(64), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("catalog_item.id"))
    item_code: Mapped[str] = mapped_column(String(64), index=True)
    provider: Mapped[str] = mapped_column(String(64), index=True)
    dedupe_key: Mapped[str] = mapped_column(String(64), unique=True)
    document_type: Mapped[str | None] = mapped_column(String(100))
    document_number: Mapped[str | None] = mapped_column(String(128))
    decision_date: Mapped[date | None] = mapped_column(Date)
    severity: Mapped[str | None] = mapped_column(String(16))
    lenient: Mapped[str | None] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16))
    published: Mapped[bool] = mapped_column(Boolean)
    public_until: Mapped[date | None] = mapped_column(Date)
    earliest_repair: Mapped[date | None] = mapped_column(Date)
    route: Mapped[str] = mapped_column(String(16))
    data: Mapped[str] = mapped_column(Text)
    notes: Mapped[str] = mapped_column(Text, default="[]")
    version: Mapped[int] = mapped_column(Integer)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("import_job.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RecordVersion(Base):
    """Every state a record has had: what it said, why it changed, by which procedure (SEC-1, DIS-6)."""

    __tablename__ = "record_version"
    # Two changes of one record can never both become the same version; the constraint's index, record first,
    # is also the one a record's history is read by.
    __table_args__ = (UniqueConstraint("record_id", "version", name="uq_record_version_record_id_version"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("record.id"))
    subject_key: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16))
    data: Mapped[str] = mapped_column(Text)
    procedure: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(String(500))
    actor_label: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ImportJob(Base):
    """One delivery (a file or an API call): what came, what was accepted, refused or already known."""

    __tablename__ = "import_job"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    provider: Mapped[str] = mapped_column(String(64), index=True)
    item_code: Mapped[str] = mapped_column(String(64))
    route: Mapped[str] = mapped_column(String(16))
    filename: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16))
    total: Mapped[int] = mapped_column(Integer, default=0)
    accepted: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    corrected: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str | None] = mapped_column(String(2000))
    actor_label: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    progressed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """When the job last wrote a batch (or started): a running job silent for long was interrupted."""
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ImportReject(Base):
    """A refused row, kept for the provider with where and why (ING-3)."""

    __tablename__ = "import_reject"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("import_job.id"), index=True)
    row: Mapped[int] = mapped_column(Integer)
    field: Mapped[str | None] = mapped_column(String(100))
    code: Mapped[str] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(String(500))
    values: Mapped[str] = mapped_column(Text)


class RevocationCase(Base):
    """A provider's notice that the judgment or decision behind a record was revoked, changed or declared
    void, and the platform's application of it (REV-1). Both working-day deadlines live in ``deadline``."""

    __tablename__ = "revocation_case"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("record.id"), index=True)
    subject_key: Mapped[str] = mapped_column(String(64), index=True)
    provider: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    effective_on: Mapped[date] = mapped_column(Date)
    document: Mapped[str] = mapped_column(String(500))
    changes: Mapped[str] = mapped_column(Text, default="{}")
    notified_on: Mapped[date] = mapped_column(Date)
    late: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(16))
    applied_on: Mapped[date | None] = mapped_column(Date)
    applied_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DeletionRequest(Base):
    """A subject's request to delete one of its own positive records, kept after the record is gone from
    view: who asked, when, which record, why (REP-7)."""

    __tablename__ = "deletion_request"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("record.id"), index=True)
    subject_key: Mapped[str] = mapped_column(String(64), index=True)
    reason: Mapped[str] = mapped_column(String(500))
    actor_label: Mapped[str] = mapped_column(String(200))
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
