"""A subject deletes its own positive information (REP-7): awards, volunteering, donations.

The record becomes ``deleted`` through ``records.service.change`` and so leaves every view but the subject's
own history; the request itself is kept (who, when, which record, why). A record that is not the subject's
is refused as not found, so nothing about it is revealed.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.audit.service import AuditActor
from xinyong.catalog import service as catalog
from xinyong.errors import NotFound, XinyongError
from xinyong.records import service
from xinyong.records.models import STANDING_STATES, DeletionRequest
from xinyong.rules.text import plain

PROCEDURE = "deletion"


def delete_positive(
    session: Session,
    *,
    record_id: int,
    subject_key: str,
    reason: str,
    actor: AuditActor,
    today: date,
    now: datetime,
) -> DeletionRequest:
    record = service.find(session, record_id)
    if record is None or record.subject_key != subject_key or record.state not in STANDING_STATES:
        raise NotFound("record.not_found", f"您没有编号为 {record_id} 的信用记录")
    item = catalog.item_in_force(session, record.item_code, today).item
    if item.category != "positive":
        raise XinyongError(
            "deletion.not_positive", f"只能申请删除本人的正面信息，“{item.name}”不是正面信息", field="record"
        )
    text = plain(reason, field="reason", max_length=500, label="删除原因") or "信用主体申请删除本人正面信息"
    request = DeletionRequest(
        record_id=record.id, subject_key=subject_key, reason=text, actor_label=actor.label, requested_at=now
    )
    session.add(request)
    service.change(
        session,
        record=record,
        procedure=PROCEDURE,
        reason=f"信用主体申请删除本人正面信息：{text}",
        actor=actor,
        now=now,
        state="deleted",
    )
    session.flush()
    return request


def requests_of(session: Session, subject_key: str) -> list[DeletionRequest]:
    return list(
        session.scalars(
            select(DeletionRequest)
            .where(DeletionRequest.subject_key == subject_key)
            .order_by(DeletionRequest.id)
        )
    )
