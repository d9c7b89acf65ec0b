"""The only writer of credit records (DESIGN principle 2): accepted rows become records with a first version,
set-based; refused rows are kept with their reasons; every delivery is a job.

A record that was already delivered (same original provider, item, document number and subject) is counted
as a duplicate, whichever route brought it (ING-3, ING-6). A batch is one transaction: an import stopped
half-way and run again ends with every row exactly once.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from xinyong.audit import service as audit
from xinyong.audit.service import AuditActor
from xinyong.db.bulk import insert_ignore_returning
from xinyong.errors import Problem, XinyongError
from xinyong.records.models import ImportJob, ImportReject, Record, RecordVersion
from xinyong.records.validate import Candidate, Rejected
from xinyong.subjects import service as subjects
from xinyong.subjects.service import key_of

ROUTES = ("api", "file", "province")
MAX_KEPT_VALUES = 4000


@dataclass(frozen=True)
class BatchResult:
    accepted: int
    duplicates: int
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
        actor_label=actor.label,
        started_at=now,
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
    """Write one batch: subjects first met, new records with their first version, refused rows."""
    subjects.ensure(
        session,
        subjects=[subjects.NewSubject(c.subject, c.subject_name, c.subject_kind) for c in candidates],
        now=now,
    )
    rows = [_record_row(c, job=job, item_id=item_id, now=now) for c in candidates]
    unique = list({row["dedupe_key"]: row for row in rows}.values())
    inserted = insert_ignore_returning(
        session, Record, unique, ["dedupe_key"], ["id", "subject_key", "state", "data"]
    )
    if inserted:
        session.execute(
            insert(RecordVersion),
            [
                {
                    "record_id": r.id,
                    "subject_key": r.subject_key,
                    "version": 1,
                    "state": r.state,
                    "data": r.data,
                    "procedure": "ingest",
                    "reason": f"归集（导入批次 {job.id}）",
                    "actor_label": actor.label,
                    "at": now,
                }
                for r in inserted
            ],
        )
    reject_rows = [
        {
            "job_id": job.id,
            "row": bad.row,
            "field": problem.field,
            "code": problem.code,
            "message": problem.message[:500],
            "values": json.dumps(values, ensure_ascii=False)[:MAX_KEPT_VALUES],
        }
        for bad, values in rejected
        for problem in bad.problems
    ]
    if reject_rows:
        session.execute(insert(ImportReject), reject_rows)
    result = BatchResult(len(inserted), len(candidates) - len(inserted), len(rejected))
    session.execute(
        update(ImportJob)
        .where(ImportJob.id == job.id)
        .values(
            total=ImportJob.total + len(candidates) + len(rejected),
            accepted=ImportJob.accepted + result.accepted,
            duplicates=ImportJob.duplicates + result.duplicates,
            rejected=ImportJob.rejected + result.rejected,
        )
    )
    return result


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


def records_of(session: Session, subject_key: str) -> list[Record]:
    return list(session.scalars(select(Record).where(Record.subject_key == subject_key).order_by(Record.id)))


def versions_of(session: Session, record_id: int) -> list[RecordVersion]:
    query = select(RecordVersion).where(RecordVersion.record_id == record_id).order_by(RecordVersion.version)
    return list(session.scalars(query))
