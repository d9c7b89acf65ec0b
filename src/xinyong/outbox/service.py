"""The outbox and the organisations' webhooks: the only writer of their tables.

Queueing happens in the transaction of the change behind a message; pushing happens afterwards, in
``delivery``, which takes one message at a time with :func:`claim` and records the outcome with
:func:`mark_delivered` or :func:`mark_failed`. Departments without a webhook pull their messages and ack
them. Every change a person or department makes (webhooks, acks, requeues) is in the audit log.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from xinyong.access import service as access
from xinyong.access.actors import Actor
from xinyong.audit import service as audit
from xinyong.db.bulk import insert_ignore
from xinyong.errors import NotFound, XinyongError
from xinyong.outbox.models import DEAD, DELIVERED, PENDING, OrgWebhook, OutboxMessage

KIND_LABELS = {
    "stop_use": "停止使用通知",
    "reminder": "联合奖惩任务催办",
    "case_due": "办理环节即将到期提醒",
    "case_overdue": "办理环节超期提示",
}
URL_LENGTH = 500
SECRET = re.compile(r"[!-~]{16,128}")  # printable ASCII, no spaces
ERROR_LENGTH = 500


@dataclass(frozen=True)
class Message:
    kind: str
    org_code: str
    subject_key: str | None
    payload: Mapping[str, Any]
    dedupe_key: str


def enqueue(session: Session, messages: Sequence[Message], *, now: datetime) -> int:
    """Queue messages not queued before, due at once; returns how many were new."""
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
            "status": PENDING,
            "next_attempt_at": now,
            "last_error": None,
        }
        for m in {m.dedupe_key: m for m in messages}.values()
    ]
    return insert_ignore(session, OutboxMessage, rows, ["dedupe_key"])


def pending(session: Session, *, org_code: str | None = None, limit: int = 100) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.status == PENDING).order_by(OutboxMessage.id)
    if org_code is not None:
        query = query.where(OutboxMessage.org_code == org_code)
    return list(session.scalars(query.limit(limit)))


def dead(session: Session, *, org_code: str | None = None, limit: int = 100) -> list[OutboxMessage]:
    """The dead letters, newest first: messages the webhook refused until the platform gave up."""
    query = select(OutboxMessage).where(OutboxMessage.status == DEAD).order_by(OutboxMessage.id.desc())
    if org_code is not None:
        query = query.where(OutboxMessage.org_code == org_code)
    return list(session.scalars(query.limit(limit)))


def _message(session: Session, message_id: int) -> OutboxMessage:
    message = session.get(OutboxMessage, message_id, with_for_update=True)
    if message is None:
        raise NotFound("outbox.not_found", f"没有编号为 {message_id} 的消息", field="message_id")
    return message


def ack(session: Session, *, by: Actor, now: datetime, message_id: int) -> OutboxMessage:
    """The receiving organisation confirms it has a message; acking it again changes nothing. Another
    organisation's message is not found, so its existence is not revealed."""
    message = _message(session, message_id)
    if by.org_code is None or message.org_code != by.org_code:
        raise NotFound("outbox.not_found", f"没有编号为 {message_id} 的消息", field="message_id")
    if message.status != DELIVERED:
        message.status, message.delivered_at, message.next_attempt_at = DELIVERED, now, None
        _audit_message(session, by, now, "outbox.ack", message)
    return message


def retry(session: Session, *, by: Actor, now: datetime, message_id: int) -> OutboxMessage:
    """Put a dead letter back in the queue with a fresh count of attempts (say, once the receiver is
    fixed)."""
    message = _message(session, message_id)
    if message.status != DEAD:
        raise XinyongError("outbox.not_dead", "只有推送失败转入死信的消息可以重新投递", field="message_id")
    _audit_message(session, by, now, "outbox.retry", message)
    message.status, message.attempts, message.next_attempt_at = PENDING, 0, now
    return message


def _audit(
    session: Session, by: Actor, now: datetime, action: str, target_type: str, target_id: str, **detail: Any
) -> None:
    audit.record(
        session,
        at=now,
        actor=access.audit_actor(by),
        action=action,
        target_type=target_type,
        target_id=target_id,
        detail=detail,
    )


def _audit_message(session: Session, by: Actor, now: datetime, action: str, message: OutboxMessage) -> None:
    detail = {"org": message.org_code, "kind": message.kind, "last_error": message.last_error}
    _audit(session, by, now, action, "outbox_message", str(message.id), **detail)


# -------------------------------------------------------------------------------------------- delivery


def claim(
    session: Session, *, due: datetime, hold_until: datetime
) -> tuple[OutboxMessage, OrgWebhook] | None:
    """Take the oldest message due by ``due`` whose organisation has an active webhook, and hide it from
    other workers until ``hold_until``; None when there is none.

    Picking and hiding are one UPDATE, so they are one step on SQLite too; on PostgreSQL the pick is
    ``FOR UPDATE SKIP LOCKED``, so a second worker takes the next message instead of the same one. A worker
    that dies while pushing leaves its message to be pushed again once ``hold_until`` has passed.
    """
    hooked = select(OrgWebhook.org_code).where(OrgWebhook.active.is_(True))
    oldest = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.status == PENDING,
            OutboxMessage.next_attempt_at <= due,
            OutboxMessage.org_code.in_(hooked),
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    taken = session.scalar(
        update(OutboxMessage)
        .where(OutboxMessage.id == oldest.scalar_subquery())
        .values(next_attempt_at=hold_until)
        .returning(OutboxMessage.id)
        .execution_options(synchronize_session=False)
    )
    if taken is None:
        return None
    message = session.get_one(OutboxMessage, taken, populate_existing=True)
    hook = _webhook(session, message.org_code)
    assert hook is not None  # the pick required it
    return message, hook


def mark_delivered(session: Session, *, message_id: int, now: datetime) -> None:
    """The receiver answered 2xx: the message is never pushed again."""
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == PENDING)
        .values(
            status=DELIVERED,
            delivered_at=now,
            attempts=OutboxMessage.attempts + 1,
            next_attempt_at=None,
            last_error=None,
        )
    )


def mark_failed(session: Session, *, message_id: int, error: str, retry_at: datetime | None) -> None:
    """A push failed: try again at ``retry_at``, or give up (dead letter) when there is none."""
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == PENDING)
        .values(
            status=PENDING if retry_at is not None else DEAD,
            attempts=OutboxMessage.attempts + 1,
            next_attempt_at=retry_at,
            last_error=error[:ERROR_LENGTH],
        )
    )


# -------------------------------------------------------------------------------------------- webhooks


def _url_refused() -> XinyongError:
    return XinyongError(
        "webhook.url_invalid", "推送地址应为完整的 http:// 或 https:// 网址，不超过 500 个字符", field="url"
    )


def _check_url(url: str) -> str:
    url = url.strip()
    if len(url) > URL_LENGTH or not url.isprintable() or " " in url:
        raise _url_refused()
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises ValueError unless the port is a number from 0 to 65535
    except ValueError as exc:
        raise _url_refused() from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _url_refused()
    if parts.username is not None or parts.password is not None:
        raise XinyongError("webhook.url_credentials", "推送地址中不能包含用户名或密码", field="url")
    return url


def _check_secret(secret: str | None) -> str:
    if secret is None:
        return secrets.token_urlsafe(32)
    if not SECRET.fullmatch(secret):
        raise XinyongError(
            "webhook.secret_invalid", "签名密钥应为 16 至 128 个可见的 ASCII 字符（不含空格）", field="secret"
        )
    return secret


def _webhook(session: Session, org_code: str) -> OrgWebhook | None:
    return session.scalars(select(OrgWebhook).where(OrgWebhook.org_code == org_code)).one_or_none()


def set_webhook(
    session: Session, *, by: Actor, now: datetime, org_code: str, url: str, secret: str | None = None
) -> OrgWebhook:
    """Push the organisation's messages to ``url`` from now on, signed with ``secret`` (generated when not
    given); replaces the organisation's earlier webhook."""
    org = access.get_org(session, org_code)
    checked_url, checked_secret = _check_url(url), _check_secret(secret)
    hook = _webhook(session, org.code)
    if hook is None:
        hook = OrgWebhook(org_code=org.code, created_at=now)
        session.add(hook)
    hook.url, hook.secret, hook.active = checked_url, checked_secret, True
    session.flush()
    # The secret stays out of the log: whoever reads the log must not be able to forge pushes.
    detail = {"url": checked_url, "secret_given": secret is not None}
    _audit(session, by, now, "webhook.set", "organisation", org.code, **detail)
    return hook


def remove_webhook(session: Session, *, by: Actor, now: datetime, org_code: str) -> OrgWebhook:
    """Stop pushing to the organisation: its messages wait for it to pull them."""
    org = access.get_org(session, org_code)
    hook = _webhook(session, org.code)
    if hook is None or not hook.active:
        raise NotFound("webhook.not_found", f"机构 {org.code} 未设置推送地址", field="code")
    hook.active = False
    _audit(session, by, now, "webhook.remove", "organisation", org.code, url=hook.url)
    return hook
