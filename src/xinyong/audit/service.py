"""The audit log: append an event to the hash chain, verify the chain, read a subject's access log.

Every event carries ``hash = sha256(prev_hash + canonical_json(content))`` over all its other columns, so
changing, removing or inserting a row breaks the chain at that row (SEC-1). ``record`` writes into the
caller's session and does not commit: an event exists exactly when the change it records does.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, func, select, update
from sqlalchemy.orm import Session

from xinyong.audit.models import GENESIS_HASH, AuditEvent, AuditHead
from xinyong.audit.schemas import AccessLogEntry, AuditEventOut
from xinyong.errors import XinyongError

HEAD_ID = 1
MAX_PAGE = 1000

# Actions that read non-public information about a subject, and how each reads on the subject's own page:
# the subject's access log (DIS-6) lists these. A module that adds such a read adds its action here.
ACTION_LABELS: dict[str, str] = {
    "record.read": "查看信用记录",  # a non-public record opened by a department or agency
    "archive.read": "查看信用档案",  # a subject's credit archive viewed
    "report.issue": "出具信用报告",  # a credit report issued about the subject
    "check.run": "信用审查",  # a credit check (信用审查) run on the subject
}
READ_ACTIONS: frozenset[str] = frozenset(ACTION_LABELS)

# The columns the hash covers, in the order people read them; canonical JSON sorts them anyway.
HASHED_FIELDS = (
    "seq",
    "at",
    "actor_account_id",
    "actor_org",
    "actor_label",
    "action",
    "target_type",
    "target_id",
    "subject_key",
    "purpose",
    "request_id",
    "detail",
    "prev_hash",
)

_LIMITS = {
    "actor_org": 64,
    "actor_label": 200,
    "action": 64,
    "target_type": 64,
    "target_id": 200,
    "subject_key": 64,
    "purpose": 64,
    "request_id": 64,
}


@dataclass(frozen=True)
class AuditActor:
    """Who acted, as the log keeps it: copied, not referenced, so it survives changes to accounts."""

    account_id: int | None
    org: str | None
    label: str


PUBLIC = AuditActor(account_id=None, org=None, label="公众")
SYSTEM = AuditActor(account_id=None, org=None, label="系统")


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_bad_seq: int | None
    problem_code: str | None
    message: str
    # Where the chain ended when it was checked: for anchors, not part of what the result says.
    head_seq: int = field(default=0, compare=False)
    head_hash: str = field(default=GENESIS_HASH, compare=False)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def canonical_json(value: Any) -> str:
    """One text per value: sorted keys, no spaces, UTF-8 characters kept as they are."""
    return json.dumps(
        value,
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        allow_nan=False,
        default=_json_default,
    )


def iso_utc(at: datetime) -> str:
    """The hashed form of a time: UTC with offset and microseconds, identical however it was stored."""
    if at.tzinfo is None:  # read back from a database that kept no offset: stored as UTC
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def event_hash(fields: Mapping[str, Any]) -> str:
    """``sha256(prev_hash + canonical_json(content))``; ``content`` is every column but ``hash``.

    ``detail`` enters as its stored text, so even a change that keeps the JSON meaning is caught.
    """
    content = {name: fields[name] for name in HASHED_FIELDS}
    content["at"] = iso_utc(content["at"])
    payload = str(fields["prev_hash"]) + canonical_json(content)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


# Free text that callers take from requests (a URL, a stated purpose): an event is never lost for being
# long; the column keeps a shortened copy and ``detail["_truncated"]`` the whole text.
_SHORTENED = frozenset({"actor_label", "target_id", "purpose", "request_id"})


def _text(field: str, value: str | None, overflow: dict[str, str], *, required: bool = False) -> str | None:
    # Same refusal on SQLite and PostgreSQL: SQLite would store what PostgreSQL refuses.
    if value is None or value == "":
        if required:
            raise XinyongError("audit.field_required", f"审计记录缺少 {field}", field=field)
        return None
    _encodable(field, value)
    limit = _LIMITS[field]
    if len(value) <= limit:
        return value
    if field not in _SHORTENED:
        raise XinyongError("audit.field_too_long", f"审计记录的 {field} 超过 {limit} 个字符", field=field)
    overflow[field] = value
    return value[: limit - 1] + "…"


def _encodable(field: str, value: str) -> None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise XinyongError("audit.field_invalid", f"审计记录的 {field} 含有无效字符", field=field) from exc
    if "\x00" in value:
        raise XinyongError("audit.field_invalid", f"审计记录的 {field} 含有空字符", field=field)


def _detail_json(detail: Mapping[str, Any] | None, overflow: dict[str, str]) -> str:
    if not detail and not overflow:
        return "{}"
    detail = dict(detail or {})
    if not all(isinstance(key, str) for key in detail):
        raise XinyongError("audit.detail", "审计记录的 detail 的键必须是文本", field="detail")
    if overflow:
        detail["_truncated"] = overflow
    try:
        text = canonical_json(detail)
    except (TypeError, ValueError) as exc:
        raise XinyongError("audit.detail", f"审计记录的 detail 不能写成 JSON：{exc}", field="detail") from exc
    _encodable("detail", text)
    return text


@dataclass(frozen=True, kw_only=True)
class Event:
    """One event to append, as :func:`record` takes it: for :func:`record_many`."""

    at: datetime
    actor: AuditActor
    action: str
    target_type: str | None = None
    target_id: str | None = None
    subject_key: str | None = None
    purpose: str | None = None
    request_id: str | None = None
    detail: Mapping[str, Any] | None = None


def record(
    session: Session,
    *,
    at: datetime,
    actor: AuditActor,
    action: str,
    target_type: str | None = None,
    target_id: str | None = None,
    subject_key: str | None = None,
    purpose: str | None = None,
    request_id: str | None = None,
    detail: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain inside the caller's transaction (flushed, not committed).

    Refuses (``XinyongError``) a naive time, an empty actor label or action, an over-long identifier
    (action, org, target type, subject key) and NUL or unencodable text; long free text is shortened.
    """
    event = Event(
        at=at,
        actor=actor,
        action=action,
        target_type=target_type,
        target_id=target_id,
        subject_key=subject_key,
        purpose=purpose,
        request_id=request_id,
        detail=detail,
    )
    return record_many(session, [event])[0]


def record_many(session: Session, events: Sequence[Event]) -> list[AuditEvent]:
    """Append ``events`` in order with one move of the chain's head and one batched insert: a set-based
    step (the sweep ending a day's list entries) logs each thing it did without a round trip each.
    Refuses what :func:`record` refuses, before anything is written."""
    rows = [_values(event) for event in events]
    if not rows:
        return []
    # Advance the head before reading it: the UPDATE takes the write lock (row lock on PostgreSQL,
    # database write lock on SQLite), so a concurrent writer waits here and then sees our hash.
    head = session.execute(
        update(AuditHead)
        .where(AuditHead.id == HEAD_ID)
        .values(seq=AuditHead.seq + len(rows))
        .returning(AuditHead.seq, AuditHead.last_hash),
        execution_options={"synchronize_session": False},
    ).one_or_none()
    if head is None:
        raise XinyongError(
            "audit.head_missing",
            "审计链头（audit_head 表 id=1 的行）缺失，审计日志无法续写：请运行 xinyong audit verify 查明原因",
        )
    seq, prev_hash = head[0] - len(rows), head[1]
    appended = []
    for values in rows:
        seq += 1
        values["seq"], values["prev_hash"] = seq, prev_hash
        values["hash"] = prev_hash = event_hash(values)
        appended.append(AuditEvent(**values))
    session.add_all(appended)
    session.flush()
    session.execute(
        update(AuditHead).where(AuditHead.id == HEAD_ID).values(last_hash=prev_hash),
        execution_options={"synchronize_session": False},
    )
    return appended


def _values(event: Event) -> dict[str, Any]:
    """The event's columns, checked and shortened as :func:`record` says; the chain fields come later."""
    if event.at.tzinfo is None or event.at.utcoffset() is None:
        raise XinyongError("audit.naive_time", "审计记录的时间必须带时区", field="at")
    overflow: dict[str, str] = {}
    values: dict[str, Any] = {
        "at": event.at.astimezone(UTC),
        "actor_account_id": event.actor.account_id,
        "actor_org": _text("actor_org", event.actor.org, overflow),
        "actor_label": _text("actor_label", event.actor.label, overflow, required=True),
        "action": _text("action", event.action, overflow, required=True),
        "target_type": _text("target_type", event.target_type, overflow),
        "target_id": _text("target_id", event.target_id, overflow),
        "subject_key": _text("subject_key", event.subject_key, overflow),
        "purpose": _text("purpose", event.purpose, overflow),
        "request_id": _text("request_id", event.request_id, overflow),
    }
    values["detail"] = _detail_json(event.detail, overflow)
    return values


# --- verification -----------------------------------------------------------------------------------

_COLUMNS = [getattr(AuditEvent, name) for name in (*HASHED_FIELDS, "hash")]


def _bad(checked: int, seq: int | None, code: str, message: str) -> VerifyResult:
    if checked:
        message += f"（此前 {checked} 条核对无误）"
    return VerifyResult(ok=False, checked=checked, first_bad_seq=seq, problem_code=code, message=message)


def _batch(session: Session, after: int, upto: int, size: int) -> tuple[list[Row[Any]], int | None]:
    """Rows after ``after`` up to ``upto``; on a row the database can no longer decode, the rows before
    it and its seq (only SQLite lets plain SQL put text where a time belongs)."""
    query = select(*_COLUMNS).where(AuditEvent.seq > after, AuditEvent.seq <= upto).order_by(AuditEvent.seq)
    try:
        return list(session.execute(query.limit(size)).all()), None
    except (ValueError, TypeError):
        seqs = session.scalars(
            select(AuditEvent.seq)
            .where(AuditEvent.seq > after, AuditEvent.seq <= upto)
            .order_by(AuditEvent.seq)
            .limit(size)
        ).all()
        rows: list[Row[Any]] = []
        for seq in seqs:
            try:
                rows.append(session.execute(select(*_COLUMNS).where(AuditEvent.seq == seq)).one())
            except (ValueError, TypeError):
                return rows, seq
        return rows, None


def _check(row: Row[Any], expected: int, prev_hash: str) -> tuple[str, str] | None:
    seq = row.seq
    if seq > expected:
        if expected == 1:
            return "audit.removed", f"审计记录从 seq {seq} 开始，第 1 至 {seq - 1} 条已被删除"
        missing = f"第 {expected} 条" if seq == expected + 1 else f"第 {expected} 至 {seq - 1} 条"
        return (
            "audit.removed",
            f"{missing}审计记录已被删除：seq {expected - 1} 之后紧接着是 seq {seq}，请从 seq {seq} 查起",
        )
    if seq < expected:
        return "audit.inserted", f"审计记录 seq {seq} 重复或次序颠倒，应为 seq {expected}"
    if event_hash(row._asdict()) != row.hash:
        return (
            "audit.altered",
            f"第 {seq} 条审计记录（seq {seq}）内容已被改动：按其内容重算的摘要与保存的摘要不符",
        )
    if row.prev_hash != prev_hash:
        if seq == 1:
            return "audit.inserted", "第 1 条审计记录（seq 1）不是从链的起点接出的：它是插入或伪造的"
        return (
            "audit.inserted",
            f"第 {seq} 条审计记录（seq {seq}）接不上前一条（seq {seq - 1}）：它是插入或伪造的，"
            f"或 seq {seq - 1} 被改动后重算了摘要；请核对这两条",
        )
    return None


def _head(session: Session) -> tuple[int, str] | None:
    row = session.execute(select(AuditHead.seq, AuditHead.last_hash).where(AuditHead.id == HEAD_ID)).first()
    return None if row is None else (row.seq, row.last_hash)


def verify(session: Session, *, batch_size: int = 1000) -> VerifyResult:
    """Walk the chain in seq order, a batch at a time, and stop at the first row that does not hold.

    The head is read first and only rows up to it are walked, so events appended meanwhile by other
    transactions neither break nor slow the check.
    """
    head = _head(session)
    if head is None:
        return _bad(0, None, "audit.head_mismatch", "审计链头（audit_head 表 id=1 的行）缺失，无法核对")
    head_seq, head_hash = head
    checked, last_seq, prev_hash = 0, 0, GENESIS_HASH
    while True:
        rows, unreadable = _batch(session, last_seq, head_seq, batch_size)
        for row in rows:
            problem = _check(row, last_seq + 1, prev_hash)
            if problem is not None:
                return _bad(checked, row.seq, *problem)
            checked, last_seq, prev_hash = checked + 1, row.seq, row.hash
        if unreadable is not None:
            return _bad(
                checked,
                unreadable,
                "audit.altered",
                f"第 {unreadable} 条审计记录（seq {unreadable}）内容已被改动：数据库已无法读取其中的值",
            )
        if len(rows) < batch_size:
            break
    if last_seq < head_seq:
        gone = f"第 {head_seq} 条" if last_seq + 1 == head_seq else f"第 {last_seq + 1} 至 {head_seq} 条"
        return _bad(
            checked,
            last_seq + 1,
            "audit.removed",
            f"最新的{gone}审计记录已被删除：链头记到 seq {head_seq}，表中最后一条是 seq {last_seq}",
        )
    if prev_hash != head_hash:
        return _bad(
            checked,
            last_seq or None,
            "audit.head_mismatch",
            f"链头保存的摘要与最后一条审计记录（seq {last_seq}）的摘要不符：链头或这条记录被改动过",
        )
    beyond = session.scalar(select(func.max(AuditEvent.seq)).where(AuditEvent.seq > head_seq))
    if beyond is not None:
        now = _head(session)  # rows committed since we read the head are fine if the head covers them
        if now is None or beyond > now[0]:
            return _bad(
                checked,
                head_seq + 1,
                "audit.head_mismatch",
                f"seq {head_seq + 1} 起的审计记录不在链头之内：它们没有经过审计服务写入",
            )
    return VerifyResult(
        ok=True,
        checked=checked,
        first_bad_seq=None,
        problem_code=None,
        message=f"审计链完整：已核对 {checked} 条记录，链头 seq {head_seq}",
        head_seq=head_seq,
        head_hash=head_hash,
    )


# --- reading ----------------------------------------------------------------------------------------


def _page(limit: int) -> int:
    if not 1 <= limit <= MAX_PAGE:
        raise XinyongError("audit.limit", f"每页条数应在 1 至 {MAX_PAGE} 之间", field="limit")
    return limit


def access_log(
    session: Session,
    *,
    subject_key: str,
    actions: Collection[str] | None = None,
    limit: int = 100,
    before_seq: int | None = None,
) -> list[AccessLogEntry]:
    """Who read this subject's non-public information, when and for what (DIS-6), newest first.

    Pages by seq: pass the last entry's ``seq`` as ``before_seq``. Served by the (subject_key, seq) index.
    """
    wanted: Sequence[str] = sorted(READ_ACTIONS if actions is None else set(actions))
    if not wanted:
        return []
    query = select(
        AuditEvent.seq,
        AuditEvent.at,
        AuditEvent.actor_label,
        AuditEvent.actor_org,
        AuditEvent.action,
        AuditEvent.purpose,
        AuditEvent.target_type,
        AuditEvent.target_id,
    ).where(AuditEvent.subject_key == subject_key, AuditEvent.action.in_(wanted))
    if before_seq is not None:
        query = query.where(AuditEvent.seq < before_seq)
    rows = session.execute(query.order_by(AuditEvent.seq.desc()).limit(_page(limit))).all()
    return [AccessLogEntry.model_validate(row._asdict()) for row in rows]


def events(
    session: Session,
    *,
    limit: int = 100,
    before_seq: int | None = None,
    action: str | None = None,
    subject_key: str | None = None,
) -> list[AuditEventOut]:
    """The log for the operator's review (SEC-2), newest first, paged by seq like ``access_log``."""
    query = select(AuditEvent)
    if before_seq is not None:
        query = query.where(AuditEvent.seq < before_seq)
    if action is not None:
        query = query.where(AuditEvent.action == action)
    if subject_key is not None:
        query = query.where(AuditEvent.subject_key == subject_key)
    found = session.scalars(query.order_by(AuditEvent.seq.desc()).limit(_page(limit))).all()
    return [AuditEventOut.of(event) for event in found]
