"""Audit events and access-log entries as the API and the pages show them."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict

from xinyong.audit.models import AuditEvent
from xinyong.clock import CHINA_TZ
from xinyong.fields import Moment


def _detail(text: str) -> dict[str, Any]:
    # A log under review may have been tampered with: show what is there rather than fail to show it.
    try:
        value = json.loads(text)
    except ValueError:
        return {"_unreadable": text}
    return value if isinstance(value, dict) else {"_unreadable": text}


class AuditEventOut(BaseModel):
    """One event for the operator's review (SEC-2); ``hash`` and ``prev_hash`` let anyone re-check it."""

    model_config = ConfigDict(frozen=True)

    seq: int
    at: Moment
    actor_account_id: int | None
    actor_org: str | None
    actor_label: str
    action: str
    target_type: str | None
    target_id: str | None
    subject_key: str | None
    purpose: str | None
    request_id: str | None
    detail: dict[str, Any]
    prev_hash: str
    hash: str

    @classmethod
    def of(cls, event: AuditEvent) -> AuditEventOut:
        return cls(
            seq=event.seq,
            at=event.at.astimezone(CHINA_TZ),
            actor_account_id=event.actor_account_id,
            actor_org=event.actor_org,
            actor_label=event.actor_label,
            action=event.action,
            target_type=event.target_type,
            target_id=event.target_id,
            subject_key=event.subject_key,
            purpose=event.purpose,
            request_id=event.request_id,
            detail=_detail(event.detail),
            prev_hash=event.prev_hash,
            hash=event.hash,
        )


class AccessLogEntry(BaseModel):
    """Who read a subject's non-public information, when and for which purpose (DIS-6).

    ``seq`` is the paging cursor: pass the last one seen as ``before_seq`` for the next page.
    """

    model_config = ConfigDict(frozen=True)

    seq: int
    at: Moment
    actor_label: str
    actor_org: str | None
    action: str
    purpose: str | None
    target_type: str | None
    target_id: str | None
