"""Queueing messages for other systems: the only writer of the outbox (delivery comes with the webhooks)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.db.bulk import insert_ignore
from xinyong.outbox.models import OutboxMessage

KIND_LABELS = {"stop_use": "停止使用通知"}


@dataclass(frozen=True)
class Message:
    kind: str
    org_code: str
    subject_key: str | None
    payload: Mapping[str, Any]
    dedupe_key: str


def enqueue(session: Session, messages: Sequence[Message], *, now: datetime) -> int:
    """Queue messages not queued before; returns how many were new."""
    rows = [
        {
            "kind": m.kind,
            "org_code": m.org_code,
            "subject_key": m.subject_key,
            "payload": json.dumps(m.payload, ensure_ascii=False, sort_keys=True),
            "dedupe_key": m.dedupe_key,
            "created_at": now,
            "delivered_at": None,
            "attempts": 0,
        }
        for m in {m.dedupe_key: m for m in messages}.values()
    ]
    return insert_ignore(session, OutboxMessage, rows, ["dedupe_key"])


def pending(session: Session, *, org_code: str | None = None, limit: int = 100) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.delivered_at.is_(None)).order_by(OutboxMessage.id)
    if org_code is not None:
        query = query.where(OutboxMessage.org_code == org_code)
    return list(session.scalars(query.limit(limit)))
