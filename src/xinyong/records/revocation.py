"""Revocation of a record's basis document (REV-1): the provider tells the platform that the judgment or
decision behind a record was revoked, changed or declared void; the operator applies it.

Both deadlines come from the profile and are kept in ``deadlines``: the provider's notice (counted from the
day the revocation took effect; a late notice is accepted and the case says it was late) and the platform's
application (counted from the day it was told). Applying it changes the record through
``records.service.change``, list entries built on a revoked record leave their lists, and every credit
service agency that was given the record is told to stop using it.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.access.service import OPERATOR_CODE
from xinyong.audit import service as audit
from xinyong.audit.service import AuditActor
from xinyong.catalog import service as catalog
from xinyong.deadlines import service as deadlines
from xinyong.disclosure import service as disclosure
from xinyong.errors import NotFound, XinyongError
from xinyong.lists import service as lists
from xinyong.profiles.schema import Revocation
from xinyong.records import service
from xinyong.records.models import STANDING_STATES, RevocationCase
from xinyong.records.validate import changed_values
from xinyong.rules.calendar import WorkingCalendar
from xinyong.rules.text import plain

KIND = "revocation"
KINDS = {"revoked": "撤销", "changed": "变更", "void": "确认无效"}
STATUS_LABELS = {"pending": "待平台处理", "applied": "已处理"}
NOTICE_STEP, APPLY_STEP = "provider_notice", "platform_apply"
# What a change may not touch: who the record is about is not part of the decision that changed.


@dataclass(frozen=True)
class Notice:
    """What the provider says: which record, what happened to its basis, since when, by which document."""

    record_id: int
    kind: str
    effective_on: date
    document: str
    changes: dict[str, str]


def _case_of(found: RevocationCase) -> deadlines.Case:
    return deadlines.Case(KIND, found.number, found.subject_key)


def notify(
    session: Session,
    *,
    notice: Notice,
    provider: str,
    rules: Revocation,
    calendar: WorkingCalendar,
    actor: AuditActor,
    today: date,
    now: datetime,
) -> RevocationCase:
    """Open a case from the provider's notice. Only the provider of a standing record may send one, once
    while a case is open; the notice is late when sent after the provider's deadline, and accepted."""
    record = service.find(session, notice.record_id)
    if record is None or record.provider != provider:
        raise NotFound("record.not_found", f"没有本单位报送的编号为 {notice.record_id} 的信用记录")
    if record.state not in STANDING_STATES:
        raise XinyongError(
            "revocation.not_standing", f"信用记录 {record.id} 已不在公示或使用中，无需撤销或变更"
        )
    if notice.kind not in KINDS:
        raise XinyongError("revocation.kind", f"情形应为：{'、'.join(KINDS.values())}", field="kind")
    if notice.effective_on > today:
        raise XinyongError("revocation.future", "生效日期不能晚于今天", field="effective_on")
    if record.decision_date is not None and notice.effective_on < record.decision_date:
        raise XinyongError(
            "revocation.before_decision",
            f"生效日期早于原决定日期 {record.decision_date.isoformat()}",
            field="effective_on",
        )
    document = plain(notice.document, field="document", max_length=500, label="文书")
    if not document:
        raise XinyongError(
            "revocation.document_required", "须写明撤销、变更或确认无效的文书名称和文号", field="document"
        )
    changes = _changes(session, record.item_code, notice, today)
    if session.scalar(
        select(RevocationCase.id).where(
            RevocationCase.record_id == record.id, RevocationCase.status == "pending"
        )
    ):
        raise XinyongError("revocation.open", f"信用记录 {record.id} 已有待处理的撤销变更告知")
    found = RevocationCase(
        number=f"CX{today:%Y%m%d}{secrets.token_hex(4).upper()}",
        record_id=record.id,
        subject_key=record.subject_key,
        provider=provider,
        kind=notice.kind,
        effective_on=notice.effective_on,
        document=document,
        changes=json.dumps(changes, ensure_ascii=False, sort_keys=True),
        notified_on=today,
        late=False,
        status="pending",
        created_at=now,
        updated_at=now,
    )
    session.add(found)
    session.flush()
    told = deadlines.start(
        session,
        calendar=calendar,
        case_of=_case_of(found),
        step=NOTICE_STEP,
        label="提供单位告知平台撤销、变更或确认无效",
        days=rules.provider_notice_days,
        org_code=provider,
        started_on=notice.effective_on,
        now=now,
    )
    deadlines.finish(session, case_of=_case_of(found), step=NOTICE_STEP, on=today, now=now)
    found.late = today > told.due_on
    deadlines.start(
        session,
        calendar=calendar,
        case_of=_case_of(found),
        step=APPLY_STEP,
        label="平台撤销或变更信用记录",
        days=rules.platform_apply_days,
        org_code=OPERATOR_CODE,
        started_on=today,
        now=now,
    )
    audit.record(
        session,
        at=now,
        actor=actor,
        action="revocation.notify",
        target_type="revocation_case",
        target_id=found.number,
        subject_key=found.subject_key,
        detail={"record": record.id, "kind": notice.kind, "late": found.late},
    )
    return found


def _changes(session: Session, item_code: str, notice: Notice, today: date) -> dict[str, Any]:
    """A change names the fields of the record's item that change, with their new values."""
    if notice.kind != "changed":
        if notice.changes:
            raise XinyongError(
                "revocation.changes_unexpected", "只有“变更”须写明变更后的内容", field="changes"
            )
        return {}
    if not notice.changes:
        raise XinyongError("revocation.changes_required", "变更须写明变更后的内容", field="changes")
    return changed_values(
        catalog.item_in_force(session, item_code, today).item, notice.changes, code="revocation"
    )


def get(session: Session, number: str) -> RevocationCase:
    found = session.scalar(select(RevocationCase).where(RevocationCase.number == number[:32]))
    if found is None:
        raise NotFound("revocation.not_found", f"撤销变更案件 {number[:32]} 不存在")
    return found


def cases(session: Session, *, provider: str | None = None, limit: int = 200) -> list[RevocationCase]:
    """Pending cases first, newest first (the operator's queue; a provider's own notices)."""
    query = select(RevocationCase)
    if provider is not None:
        query = query.where(RevocationCase.provider == provider)
    pending_first = RevocationCase.status != "pending"
    return list(session.scalars(query.order_by(pending_first, RevocationCase.id.desc()).limit(limit)))


def apply(
    session: Session, ctx: lists.Context, *, number: str, actor: AuditActor, today: date, now: datetime
) -> RevocationCase:
    """The operator applies a pending case: the record is revoked (or its content changed) as a new
    version; entries built on a revoked record leave their lists; agencies that were given it are told."""
    found = get(session, number)
    if found.status != "pending":
        raise XinyongError("revocation.done", f"撤销变更案件 {found.number} 已处理")
    record = service.get(session, found.record_id)
    reason = f"原决定{KINDS[found.kind]}：{found.document}（案件 {found.number}）"
    if found.kind == "changed":
        data: dict[str, Any] = {**json.loads(record.data), **json.loads(found.changes)}
        service.change(session, record=record, procedure=KIND, reason=reason, actor=actor, now=now, data=data)
    else:
        service.change(
            session, record=record, procedure=KIND, reason=reason, actor=actor, now=now, state="revoked"
        )
        lists.follow_record(session, ctx, record_id=record.id, state="revoked")
    disclosure.stop_use(
        session, record_ids=[record.id], reason=reason, as_of=today, now=now, case=found.number
    )
    deadlines.finish(session, case_of=_case_of(found), step=APPLY_STEP, on=today, now=now)
    found.status, found.applied_on, found.applied_by, found.updated_at = "applied", today, actor.label, now
    return found
