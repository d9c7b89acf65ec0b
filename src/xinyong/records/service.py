"""The only writer of credit records (DESIGN principle 2): accepted rows become records with a first version,
set-based; refused rows are kept with their reasons; every delivery is a job.

A record that was already delivered (same original provider, item, document number and subject) is counted
as a duplicate, whichever route brought it (ING-3, ING-6). A batch is one transaction: an import stopped
half-way and run again ends with every row exactly once.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import DateTime, Result, Row, Select, bindparam, func, insert, literal, select, update
from sqlalchemy.orm import Session

from xinyong.audit import service as audit
from xinyong.audit.service import AuditActor
from xinyong.clock import in_beijing
from xinyong.db.bulk import among, insert_ignore_returning, insert_rows
from xinyong.errors import Problem, XinyongError
from xinyong.records.models import (
    MAX_ID,
    STANDING_STATES,
    STATES,
    ImportJob,
    ImportReject,
    Record,
    RecordVersion,
)
from xinyong.records.validate import Candidate, Rejected
from xinyong.rules.text import plain, storable
from xinyong.subjects import service as subjects
from xinyong.subjects.service import key_of

ROUTES = ("api", "file", "province", "market")  # market: consent-checked market information (MKT-1)
MAX_KEPT_VALUES = 4000
STALLED_AFTER = timedelta(minutes=10)
"""An operational limit, not a regulation: a batch takes seconds, so a running import that wrote nothing for
this long has lost its process."""


@dataclass(frozen=True)
class BatchResult:
    accepted: int
    duplicates: int
    corrected: int
    rejected: int


def start_job(
    session: Session,
    *,
    provider: str,
    item_code: str,
    route: str,
    filename: str | None,
    actor: AuditActor,
    now: datetime,
) -> ImportJob:
    if route not in ROUTES:
        raise XinyongError("record.route_invalid", f"归集渠道应为：{'、'.join(ROUTES)}", field="route")
    job = ImportJob(
        provider=provider,
        item_code=item_code,
        route=route,
        filename=(filename or "")[:255] or None,
        status="running",
        total=0,
        accepted=0,
        rejected=0,
        duplicates=0,
        corrected=0,
        actor_label=actor.label,
        started_at=now,
        progressed_at=now,
    )
    session.add(job)
    session.flush()
    audit.record(
        session,
        at=now,
        actor=actor,
        action="import.start",
        target_type="import_job",
        target_id=str(job.id),
        detail={"item": item_code, "route": route, "file": job.filename},
    )
    return job


def store_batch(
    session: Session,
    *,
    job: ImportJob,
    item_id: int,
    candidates: Sequence[Candidate],
    rejected: Sequence[tuple[Rejected, dict[str, str]]],
    actor: AuditActor,
    now: datetime,
) -> BatchResult:
    """Write one batch: subjects first met, new records with their first version, corrections of records
    delivered before, refused rows."""
    subjects.ensure(
        session,
        subjects=[subjects.NewSubject(c.subject, c.subject_name, c.subject_kind) for c in candidates],
        now=now,
    )
    rows = [_record_row(c, job=job, item_id=item_id, now=now) for c in candidates]
    unique = list({row["dedupe_key"]: row for row in rows}.values())
    inserted = insert_ignore_returning(session, Record, unique, ["dedupe_key"], ["id", "dedupe_key"])
    _copy_versions(session, [r.id for r in inserted], "ingest", f"归集（导入批次 {job.id}）", actor, now)
    new = {r.dedupe_key for r in inserted}
    corrected = _correct(session, [row for row in unique if row["dedupe_key"] not in new], job, actor, now)
    insert_rows(
        session,
        ImportReject,
        [
            {
                "job_id": job.id,
                "row": bad.row,
                "field": problem.field and storable(problem.field),
                "code": problem.code,
                "message": storable(problem.message[:500]),
                "values": storable(json.dumps(values, ensure_ascii=False)[:MAX_KEPT_VALUES]),
            }
            for bad, values in rejected
            for problem in bad.problems
        ],
    )
    result = BatchResult(
        accepted=len(inserted),
        duplicates=len(candidates) - len(inserted) - corrected,
        corrected=corrected,
        rejected=len(rejected),
    )
    session.execute(
        update(ImportJob)
        .where(ImportJob.id == job.id)
        .values(
            total=ImportJob.total + len(candidates) + len(rejected),
            accepted=ImportJob.accepted + result.accepted,
            duplicates=ImportJob.duplicates + result.duplicates,
            corrected=ImportJob.corrected + result.corrected,
            rejected=ImportJob.rejected + result.rejected,
            progressed_at=now,
        )
    )
    return result


def _copy_versions(
    session: Session, record_ids: Sequence[int], procedure: str, reason: str, actor: AuditActor, now: datetime
) -> None:
    """The current state of records as their next version row, copied inside the database: their content
    never travels to the application and back."""
    if not record_ids:
        return
    copied = select(
        Record.id,
        Record.subject_key,
        Record.version,
        Record.state,
        Record.data,
        literal(procedure),
        literal(reason),
        literal(actor.label),
        literal(now, DateTime(timezone=True)),
    ).where(among(session, Record.id, record_ids))
    columns = [
        "record_id",
        "subject_key",
        "version",
        "state",
        "data",
        "procedure",
        "reason",
        "actor_label",
        "at",
    ]
    session.execute(insert(RecordVersion).from_select(columns, copied))


# What a provider's re-delivery may change in a record; its state (withdrawn, repaired ...) it may not.
_CORRECTABLE = (
    "document_number",
    "decision_date",
    "severity",
    "lenient",
    "published",
    "public_until",
    "earliest_repair",
    "data",
    "notes",
)


def _correct(
    session: Session, rows: Sequence[dict[str, object]], job: ImportJob, actor: AuditActor, now: datetime
) -> int:
    """Records delivered again with other content are the provider's corrections (ING-7): each becomes a
    new version. The same content again is a duplicate and changes nothing (ING-3); so is another
    organisation's delivery of a record: only the one that delivered it may correct it."""
    if not rows:
        return 0
    wanted = {str(row["dedupe_key"]): row for row in rows}
    columns = [getattr(Record, name) for name in _CORRECTABLE]
    known = session.execute(
        select(
            Record.id, Record.dedupe_key, Record.version, Record.state, Record.subject_key, *columns
        ).where(among(session, Record.dedupe_key, list(wanted)), Record.provider == job.provider)
    ).all()
    changed = [
        (r, wanted[r.dedupe_key])
        for r in known
        if any(getattr(r, name) != wanted[r.dedupe_key][name] for name in _CORRECTABLE)
    ]
    if not changed:
        return 0
    session.execute(
        update(Record),  # by primary key, one statement for all
        [
            {
                "id": r.id,
                **{name: row[name] for name in _CORRECTABLE},
                "version": r.version + 1,
                "updated_at": now,
            }
            for r, row in changed
        ],
    )
    reason = f"信息提供单位更正（导入批次 {job.id}）"
    insert_rows(
        session,
        RecordVersion,
        [
            _version_row(
                r.id, r.subject_key, r.state, row["data"], r.version + 1, "correction", reason, actor, now
            )
            for r, row in changed
        ],
    )
    return len(changed)


def _version_row(
    record_id: int,
    subject_key: str,
    state: str,
    data: object,
    version: int,
    procedure: str,
    reason: str,
    actor: AuditActor,
    now: datetime,
) -> dict[str, object]:
    return {
        "record_id": record_id,
        "subject_key": subject_key,
        "version": version,
        "state": state,
        "data": data,
        "procedure": procedure,
        "reason": reason,
        "actor_label": actor.label,
        "at": now,
    }


def _record_row(candidate: Candidate, *, job: ImportJob, item_id: int, now: datetime) -> dict[str, object]:
    return {
        "subject_key": key_of(candidate.subject),
        "item_id": item_id,
        "item_code": job.item_code,
        "provider": job.provider,
        "dedupe_key": candidate.dedupe_key,
        "document_type": candidate.document_type,
        "document_number": candidate.document_number,
        "decision_date": candidate.decision_date,
        "severity": candidate.severity,
        "lenient": candidate.lenient,
        "state": "active",
        "published": candidate.published,
        "public_until": candidate.public_until,
        "earliest_repair": candidate.earliest_repair,
        "route": job.route,
        "data": json.dumps(candidate.data, ensure_ascii=False, sort_keys=True),
        "notes": json.dumps(candidate.notes, ensure_ascii=False),
        "version": 1,
        "job_id": job.id,
        "created_at": now,
        "updated_at": now,
    }


EXPIRY_REASON = "公示期满，停止公开，转为档案保存"


def expirable(session: Session, as_of: date) -> int:
    """How many active records' public periods ended before ``as_of`` (PER-2)."""
    query = (
        select(func.count()).select_from(Record).where(Record.state == "active", Record.public_until < as_of)
    )
    return int(session.scalar(query) or 0)


def expire_batch(
    session: Session, *, as_of: date, limit: int, actor: AuditActor, now: datetime
) -> list[tuple[int, str]]:
    """Move up to ``limit`` records whose public period ended out of public view, each with a version saying
    so; (id, subject key) of each. Set-based; run until it returns nothing (PER-2, DIS-8)."""
    # Oldest period first, in the order of the (state, public_until) index: ordered by id alone, PostgreSQL
    # walks the primary key past millions of records whose period has not ended to fill each batch.
    due = (
        select(Record.id)
        .where(Record.state == "active", Record.public_until < as_of)
        .order_by(Record.public_until, Record.id)
        .limit(limit)
        .scalar_subquery()
    )
    moved = session.execute(
        update(Record)
        .where(Record.id.in_(due), Record.state == "active")  # checked again once the row is locked
        .values(state="archived", version=Record.version + 1, updated_at=now)
        .returning(Record.id, Record.subject_key),
        execution_options={"synchronize_session": False},
    ).all()
    _copy_versions(session, [m.id for m in moved], "expiry", EXPIRY_REASON, actor, now)
    return [(m.id, m.subject_key) for m in moved]


def find(session: Session, record_id: int) -> Record | None:
    """The record with this id; None for any other number, one too large for the database included."""
    return session.get(Record, record_id) if 1 <= record_id <= MAX_ID else None


def get(session: Session, record_id: int) -> Record:
    record = find(session, record_id)
    if record is None:
        raise XinyongError("record.not_found", f"没有编号为 {record_id} 的信用记录", field="record")
    return record


def change(
    session: Session,
    *,
    record: Record,
    procedure: str,
    reason: str,
    actor: AuditActor,
    now: datetime,
    state: str | None = None,
    data: dict[str, Any] | None = None,
) -> Record:
    """The one way a procedure (objection, revocation, repair, withdrawal, deletion) changes a record: the
    new state or content becomes the next version, with the procedure and its reason, and is audited
    (DESIGN principle 2; SEC-1)."""
    if state is not None and state not in STATES:
        raise ValueError(f"unknown record state {state}")
    before = record.state
    if state is not None:
        record.state = state
    if data is not None:
        record.data = json.dumps(data, ensure_ascii=False, sort_keys=True)
    record.version, record.updated_at = record.version + 1, now
    session.add(
        RecordVersion(
            **_version_row(
                record.id,
                record.subject_key,
                record.state,
                record.data,
                record.version,
                procedure,
                reason[:500],
                actor,
                now,
            )
        )
    )
    audit.record(
        session,
        at=now,
        actor=actor,
        action=f"record.{procedure}",
        target_type="record",
        target_id=str(record.id),
        subject_key=record.subject_key,
        detail={"reason": reason[:500], "version": record.version, "from": before, "to": record.state},
    )
    return record


def withdraw(
    session: Session, *, record_id: int, provider: str, reason: str, actor: AuditActor, now: datetime
) -> Record:
    """The provider takes back a record it delivered (ING-7): a new version in state ``withdrawn``, kept
    with the reason; only the organisation that delivered it may do so, and only once."""
    record = find(session, record_id)
    if record is None or record.provider != provider:
        raise XinyongError(
            "record.not_found", f"没有本单位报送的编号为 {record_id} 的信用记录", field="record"
        )
    if record.state == "withdrawn":
        raise XinyongError("record.already_withdrawn", f"信用记录 {record_id} 已撤回", field="record")
    text = plain(reason, field="reason", max_length=500, label="撤回原因")
    if not text:
        raise XinyongError("record.reason_required", "撤回须写明原因", field="reason")
    return change(
        session, record=record, procedure="withdrawal", reason=text, actor=actor, now=now, state="withdrawn"
    )


def finish_job(
    session: Session, *, job_id: int, actor: AuditActor, now: datetime, failure: Problem | None = None
) -> ImportJob:
    job = get_job(session, job_id)
    job.status, job.finished_at = ("failed" if failure else "done"), now
    job.message = failure.message[:2000] if failure else None
    audit.record(
        session,
        at=now,
        actor=actor,
        action="import.finish",
        target_type="import_job",
        target_id=str(job.id),
        detail={
            "status": job.status,
            "accepted": job.accepted,
            "rejected": job.rejected,
            "duplicates": job.duplicates,
        },
    )
    return job


def shown_status(job: ImportJob, now: datetime) -> str:
    """A job's status as its provider should read it: ``running`` only while batches keep arriving. A job
    whose process was killed never finishes; run again, its file adds only the rows that were missing
    (ING-7), so the provider is told to do that rather than to wait."""
    last = job.progressed_at or job.started_at
    if job.status == "running" and now - in_beijing(last) > STALLED_AFTER:
        return "interrupted"
    return job.status


def get_job(session: Session, job_id: int) -> ImportJob:
    job = session.get(ImportJob, job_id)
    if job is None:
        raise XinyongError("import.not_found", f"没有编号为 {job_id} 的导入批次", field="job")
    return job


def rejects(session: Session, job_id: int, *, limit: int | None = None) -> list[ImportReject]:
    query = (
        select(ImportReject).where(ImportReject.job_id == job_id).order_by(ImportReject.row, ImportReject.id)
    )
    return list(session.scalars(query.limit(limit) if limit else query))


_OF_SUBJECT = select(Record).where(Record.subject_key == bindparam("key")).order_by(Record.id)  # built once


def records_of(session: Session, subject_key: str) -> list[Record]:
    return list(session.scalars(_OF_SUBJECT, {"key": subject_key}))


def standing_counts(session: Session, *, item_code: str, subject_keys: Select[str]) -> dict[str, int]:
    """How many standing records of one item each of these subjects has, counted in the database (the
    regional government integrity evaluation, GOV-4)."""
    query = (
        select(Record.subject_key, func.count())
        .where(
            Record.item_code == item_code,
            Record.state.in_(STANDING_STATES),
            Record.subject_key.in_(subject_keys),
        )
        .group_by(Record.subject_key)
    )
    return {key: int(count) for key, count in session.execute(query).all()}


def versions_of(session: Session, record_id: int) -> list[RecordVersion]:
    return versions_by_record(session, [record_id]).get(record_id, [])


def versions_by_record(session: Session, record_ids: Sequence[int]) -> dict[int, list[RecordVersion]]:
    """Every version of these records, oldest first, in one query (a subject's archive shows them all)."""
    found: dict[int, list[RecordVersion]] = {}
    if not record_ids:
        return found
    query = (
        select(RecordVersion)
        .where(RecordVersion.record_id.in_(record_ids))
        .order_by(RecordVersion.record_id, RecordVersion.version)
    )
    for version in session.scalars(query):
        found.setdefault(version.record_id, []).append(version)
    return found


# ------------------------------------------------------------------------------------------- exchange
EXCHANGED_ROUTES = ("api", "file")  # delivered here: what came from another platform is not sent back


def last_version_id(session: Session) -> int:
    """The newest version row: an exchange increment runs up to it (INT-1)."""
    return int(session.scalar(select(func.max(RecordVersion.id))) or 0)


# What another platform receives of a record (exchange packages): read as plain rows, not ORM objects, for
# a snapshot streams every standing record.
EXCHANGED_COLUMNS = (
    Record.item_code,
    Record.provider,
    Record.document_number,
    Record.dedupe_key,
    Record.subject_key,
    Record.data,
    Record.severity,
    Record.state,
    Record.version,
    Record.decision_date,
    Record.public_until,
)


def changed_between(
    session: Session, *, after: int, upto: int, item_codes: Sequence[str], standing: bool, batch: int
) -> Iterator[Row[Any]]:
    """Records delivered here of these items with a version in (after, upto], standing or not, streamed in
    item order a batch at a time as rows of ``EXCHANGED_COLUMNS``: an exchange package never holds them all
    in memory (INT-1)."""
    changed = select(RecordVersion.record_id).where(RecordVersion.id > after, RecordVersion.id <= upto)
    states = Record.state.in_(STANDING_STATES) if standing else Record.state.not_in(STANDING_STATES)
    query = (
        select(*EXCHANGED_COLUMNS)
        .where(
            Record.id.in_(changed),
            Record.item_code.in_(item_codes),
            Record.route.in_(EXCHANGED_ROUTES),
            states,
        )
        .order_by(Record.item_code, Record.id)
        .execution_options(yield_per=batch)
    )
    rows: Result[Any] = session.execute(query)
    yield from rows


def delivered(
    session: Session, *, provider: str, item_code: str, document_number: str, subject_key: str
) -> Record | None:
    """The record this provider delivered under this document number for this subject, if any."""
    query = select(Record).where(
        Record.provider == provider,
        Record.item_code == item_code,
        Record.document_number == document_number,
        Record.subject_key == subject_key,
    )
    return session.scalars(query.order_by(Record.id).limit(1)).first()
