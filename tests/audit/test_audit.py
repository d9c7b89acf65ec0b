"""The hash-chained audit log: tampering, removal and insertion are found and named by seq (SEC-1); every
non-public read is registered and reviewable (SEC-2) and appears in the subject's access log (DIS-6)."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete, insert, select, text, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from xinyong.audit.models import GENESIS_HASH, AuditEvent, AuditHead
from xinyong.audit.service import (
    PUBLIC,
    READ_ACTIONS,
    AuditActor,
    Event,
    VerifyResult,
    access_log,
    event_hash,
    events,
    record,
    record_many,
    verify,
)
from xinyong.clock import CHINA_TZ
from xinyong.db.engine import session_factory, transaction
from xinyong.errors import XinyongError

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=CHINA_TZ)
CLERK = AuditActor(account_id=7, org="scjgj", label="张三（市场监管局）")
BANK = AuditActor(account_id=12, org="bank-a", label="李四（某银行）")
COMPANY = "91110000802100433B"
OTHER = "91350100M000100Y43"


def _reset(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(delete(AuditEvent))
        conn.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=0, last_hash=GENESIS_HASH))


@pytest.fixture
def factory(engine: Engine) -> Iterator[sessionmaker[Session]]:
    """An empty audit log (the database outlives a single test), emptied again afterwards."""
    _reset(engine)
    yield session_factory(engine)
    _reset(engine)


def append(factory: sessionmaker[Session], count: int, **fields: Any) -> None:
    with transaction(factory) as session:
        for i in range(count):
            record(
                session,
                at=T0 + timedelta(seconds=i),
                actor=fields.get("actor", CLERK),
                action=fields.get("action", "record.read"),
                target_type="record",
                target_id=str(i),
                subject_key=fields.get("subject_key", COMPANY),
                purpose=fields.get("purpose", "行政审批"),
                detail={"i": i, "note": "查询"},
            )


def check(factory: sessionmaker[Session], **kwargs: Any) -> VerifyResult:
    with factory() as session:
        return verify(session, **kwargs)


def sql(engine: Engine, statement: str, **params: Any) -> None:
    with engine.begin() as conn:
        conn.execute(text(statement), params)


def head(engine: Engine) -> tuple[int, str]:
    with engine.connect() as conn:
        row = conn.execute(select(AuditHead.seq, AuditHead.last_hash)).one()
    return row.seq, row.last_hash


def row_of(engine: Engine, seq: int) -> dict[str, Any]:
    with engine.connect() as conn:
        return dict(conn.execute(select(AuditEvent.__table__).where(AuditEvent.seq == seq)).one()._mapping)


@pytest.mark.req("SEC-1")
@pytest.mark.parametrize("batch_size", [1000, 7])
def test_a_clean_chain_of_fifty_events_verifies(factory: sessionmaker[Session], batch_size: int) -> None:
    append(factory, 50)
    result = check(factory, batch_size=batch_size)
    assert result == VerifyResult(True, 50, None, None, "审计链完整：已核对 50 条记录，链头 seq 50")


@pytest.mark.req("SEC-1")
def test_events_appended_together_chain_as_if_one_by_one(
    factory: sessionmaker[Session], engine: Engine
) -> None:
    """A set-based step logs its events with one move of the head: same seqs, links and hashes."""
    append(factory, 3)
    batch = [
        Event(
            at=T0,
            actor=CLERK,
            action="list.removal",
            target_id=f"MD{i}",
            subject_key=COMPANY,
            detail={"i": i},
        )
        for i in range(4)
    ]
    with transaction(factory) as session:
        appended = record_many(session, batch)
    assert [e.seq for e in appended] == [4, 5, 6, 7]
    assert check(factory) == VerifyResult(True, 7, None, None, "审计链完整：已核对 7 条记录，链头 seq 7")
    assert head(engine) == (7, appended[-1].hash)
    assert row_of(engine, 5)["prev_hash"] == row_of(engine, 4)["hash"]
    refused = [*batch[:2], Event(at=T0.replace(tzinfo=None), actor=CLERK, action="list.removal")]
    with pytest.raises(XinyongError) as naive, transaction(factory) as session:
        record_many(session, refused)
    assert naive.value.code == "audit.naive_time"
    assert head(engine)[0] == 7 and check(factory).checked == 7  # nothing of the refused batch was written


@pytest.mark.req("SEC-1")
def test_an_empty_log_verifies(factory: sessionmaker[Session]) -> None:
    assert check(factory).ok and check(factory).checked == 0


@pytest.mark.req("SEC-1")
def test_the_hash_follows_the_published_scheme(factory: sessionmaker[Session], engine: Engine) -> None:
    """Anyone can re-check an event with sha256 and canonical JSON, without our code."""
    with transaction(factory) as session:
        record(
            session,
            at=T0,
            actor=CLERK,
            action="record.read",
            subject_key=COMPANY,
            detail={"日期": date(2026, 11, 23), "b": 1},
        )
        second = record(session, at=T0, actor=PUBLIC, action="auth.login_failed")
    first = row_of(engine, 1)
    assert first["detail"] == '{"b":1,"日期":"2026-11-23"}'
    content = {
        "seq": 1,
        "at": "2026-11-23T01:00:00.000000+00:00",
        "actor_account_id": 7,
        "actor_org": "scjgj",
        "actor_label": "张三（市场监管局）",
        "action": "record.read",
        "target_type": None,
        "target_id": None,
        "subject_key": COMPANY,
        "purpose": None,
        "request_id": None,
        "detail": '{"b":1,"日期":"2026-11-23"}',
        "prev_hash": GENESIS_HASH,
    }
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert first["hash"] == hashlib.sha256((GENESIS_HASH + canonical).encode()).hexdigest()
    assert second.prev_hash == first["hash"] and head(engine) == (2, second.hash)


@pytest.mark.req("SEC-1")
def test_a_changed_row_is_named_by_its_seq(factory: sessionmaker[Session], engine: Engine) -> None:
    append(factory, 20)
    sql(engine, "UPDATE audit_event SET purpose = '无' WHERE seq = 17")
    result = check(factory)
    assert (result.ok, result.problem_code, result.first_bad_seq) == (False, "audit.altered", 17)
    assert result.checked == 16
    assert result.message.startswith("第 17 条审计记录（seq 17）内容已被改动")


@pytest.mark.req("SEC-1")
def test_an_unreadable_time_is_reported_not_raised(factory: sessionmaker[Session], engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("only SQLite lets plain SQL store text in a timestamp column")
    append(factory, 5)
    sql(engine, "UPDATE audit_event SET at = 'yesterday' WHERE seq = 3")
    result = check(factory, batch_size=2)
    assert (result.problem_code, result.first_bad_seq, result.checked) == ("audit.altered", 3, 2)


@pytest.mark.req("SEC-1")
def test_a_row_removed_from_the_middle_is_found(factory: sessionmaker[Session], engine: Engine) -> None:
    append(factory, 20)
    sql(engine, "DELETE FROM audit_event WHERE seq = 10")
    result = check(factory)
    assert (result.problem_code, result.first_bad_seq, result.checked) == ("audit.removed", 11, 9)
    assert "第 10 条审计记录已被删除" in result.message and "seq 11" in result.message


@pytest.mark.req("SEC-1")
def test_the_first_rows_removed_are_found(factory: sessionmaker[Session], engine: Engine) -> None:
    append(factory, 5)
    sql(engine, "DELETE FROM audit_event WHERE seq <= 2")
    result = check(factory)
    assert (result.problem_code, result.first_bad_seq) == ("audit.removed", 3)


@pytest.mark.req("SEC-1")
def test_the_newest_rows_removed_are_found(factory: sessionmaker[Session], engine: Engine) -> None:
    append(factory, 20)
    sql(engine, "DELETE FROM audit_event WHERE seq = 20")
    result = check(factory)
    assert (result.problem_code, result.first_bad_seq, result.checked) == ("audit.removed", 20, 19)
    assert "最新的第 20 条" in result.message
    sql(engine, "DELETE FROM audit_event WHERE seq >= 18")
    assert check(factory).message.startswith("最新的第 18 至 20 条审计记录已被删除")


@pytest.mark.req("SEC-1")
def test_a_forged_row_chained_to_the_wrong_event_is_found(
    factory: sessionmaker[Session], engine: Engine
) -> None:
    append(factory, 10)
    # The attacker makes room at seq 5, writes a self-consistent row there and moves the head along.
    for seq in range(10, 4, -1):
        sql(engine, "UPDATE audit_event SET seq = seq + 1 WHERE seq = :seq", seq=seq)
    forged = {**row_of(engine, 4), "seq": 5, "purpose": "伪造", "prev_hash": row_of(engine, 3)["hash"]}
    forged["hash"] = event_hash(forged)
    with engine.begin() as conn:
        conn.execute(insert(AuditEvent).values(forged))
        conn.execute(update(AuditHead).values(seq=11))
    result = check(factory)
    assert (result.problem_code, result.first_bad_seq, result.checked) == ("audit.inserted", 5, 4)
    assert "seq 5" in result.message and "seq 4" in result.message


@pytest.mark.req("SEC-1")
def test_a_forged_row_chained_correctly_breaks_the_next_one(
    factory: sessionmaker[Session], engine: Engine
) -> None:
    append(factory, 10)
    for seq in range(10, 4, -1):
        sql(engine, "UPDATE audit_event SET seq = seq + 1 WHERE seq = :seq", seq=seq)
    forged = {**row_of(engine, 4), "seq": 5, "purpose": "伪造", "prev_hash": row_of(engine, 4)["hash"]}
    forged["hash"] = event_hash(forged)
    with engine.begin() as conn:
        conn.execute(insert(AuditEvent).values(forged))
        conn.execute(update(AuditHead).values(seq=11))
    result = check(factory)
    # The renumbered row no longer matches its own hash, and it does not follow the forged one.
    assert (result.problem_code, result.first_bad_seq) == ("audit.altered", 6)


@pytest.mark.req("SEC-1")
def test_a_tampered_head_is_found(factory: sessionmaker[Session], engine: Engine) -> None:
    append(factory, 5)
    _, last_hash = head(engine)
    sql(engine, "UPDATE audit_head SET last_hash = :h", h="f" * 64)
    result = check(factory)
    assert (result.problem_code, result.first_bad_seq) == ("audit.head_mismatch", 5)
    # Rows beyond the head were written around the service (or the head was wound back).
    sql(engine, "UPDATE audit_head SET seq = 3, last_hash = :h", h=row_of(engine, 3)["hash"])
    result = check(factory)
    assert (result.problem_code, result.first_bad_seq, result.checked) == ("audit.head_mismatch", 4, 3)
    sql(engine, "DELETE FROM audit_head")
    assert check(factory).problem_code == "audit.head_mismatch"
    with pytest.raises(XinyongError) as refused, transaction(factory) as session:
        record(session, at=T0, actor=CLERK, action="record.read")
    assert refused.value.code == "audit.head_missing"
    sql(engine, "INSERT INTO audit_head (id, seq, last_hash) VALUES (1, 5, :h)", h=last_hash)
    assert check(factory).ok


@pytest.mark.req("SEC-1")
def test_the_event_rolls_back_with_its_transaction(factory: sessionmaker[Session], engine: Engine) -> None:
    append(factory, 3)
    before = head(engine)
    with pytest.raises(RuntimeError), transaction(factory) as session:
        event = record(session, at=T0, actor=CLERK, action="org.create", target_type="org", target_id="x")
        assert session.get(AuditEvent, event.seq) is event  # visible to its own transaction
        raise RuntimeError("the change it records failed")
    assert head(engine) == before
    with factory() as session:
        assert session.scalars(select(AuditEvent.seq).order_by(AuditEvent.seq)).all() == [1, 2, 3]
    assert check(factory).ok
    append(factory, 1)
    assert head(engine)[0] == 4 and check(factory).checked == 4


@pytest.mark.req("SEC-1")
def test_refused_input_writes_nothing(factory: sessionmaker[Session], engine: Engine) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"at": datetime(2026, 11, 23, 9, 0)}, "audit.naive_time"),
        ({"action": ""}, "audit.field_required"),
        ({"action": "x" * 65}, "audit.field_too_long"),
        ({"actor": AuditActor(None, None, "")}, "audit.field_required"),
        ({"purpose": "a\x00b"}, "audit.field_invalid"),
        ({"detail": {"when": object()}}, "audit.detail"),
        ({"detail": {1: "x"}}, "audit.detail"),
    ]
    for override, code in cases:
        fields: dict[str, Any] = {"at": T0, "actor": CLERK, "action": "record.read", **override}
        with pytest.raises(XinyongError) as refused, transaction(factory) as session:
            record(session, **fields)
        assert refused.value.code == code, override
    assert head(engine) == (0, GENESIS_HASH)


@pytest.mark.req("SEC-2")
def test_long_request_text_is_shortened_not_lost(factory: sessionmaker[Session]) -> None:
    path = "GET /api/v1/" + "x" * 400
    with transaction(factory) as session:
        record(session, at=T0, actor=PUBLIC, action="access.refused", target_id=path, detail={"a": 1})
    with factory() as session:
        [event] = events(session)
    assert event.target_id is not None and len(event.target_id) == 200 and event.target_id.endswith("…")
    assert event.detail == {"a": 1, "_truncated": {"target_id": path}}
    assert check(factory).ok


def _append_retrying(factory: sessionmaker[Session], thread: int, i: int) -> None:
    for attempt in range(5):
        try:
            with transaction(factory) as session:
                record(
                    session,
                    at=T0 + timedelta(milliseconds=i),
                    actor=AuditActor(account_id=thread, org=None, label=f"线程 {thread}"),
                    action="record.read",
                    subject_key=COMPANY,
                    detail={"thread": thread, "i": i},
                )
            return
        except OperationalError as exc:  # SQLite: the busy timeout ran out; try again a few times
            if "locked" not in str(exc) or attempt == 4:
                raise
            time.sleep(0.05 * (attempt + 1))


@pytest.mark.req("SEC-1")
def test_concurrent_writers_do_not_fork_the_chain(factory: sessionmaker[Session], engine: Engine) -> None:
    threads, each = 4, 25
    start = threading.Barrier(threads)
    failures: list[BaseException] = []

    def work(thread: int) -> None:
        try:
            start.wait()
            for i in range(each):
                _append_retrying(factory, thread, i)
        except BaseException as exc:  # reported in the main thread
            failures.append(exc)

    workers = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert failures == []
    total = threads * each
    with factory() as session:
        rows = session.execute(select(AuditEvent.seq, AuditEvent.prev_hash).order_by(AuditEvent.seq)).all()
    assert [r.seq for r in rows] == list(range(1, total + 1))
    assert len({r.prev_hash for r in rows}) == total  # no two events claim the same predecessor
    assert check(factory) == VerifyResult(
        True, total, None, None, f"审计链完整：已核对 {total} 条记录，链头 seq {total}"
    )
    assert head(engine)[0] == total


@pytest.mark.req("DIS-6", "SEC-2")
def test_access_log_lists_non_public_reads_of_one_subject(factory: sessionmaker[Session]) -> None:
    with transaction(factory) as session:
        record(session, at=T0, actor=CLERK, action="record.read", subject_key=COMPANY, purpose="行政审批")
        record(session, at=T0, actor=CLERK, action="record.create", subject_key=COMPANY)
        record(session, at=T0, actor=PUBLIC, action="record.public_read", subject_key=COMPANY)
        record(session, at=T0, actor=BANK, action="record.read", subject_key=OTHER, purpose="贷款审查")
        record(
            session,
            at=T0 + timedelta(hours=1),
            actor=BANK,
            action="report.issue",
            subject_key=COMPANY,
            purpose="授权查询",
            target_type="report",
            target_id="R-1",
        )
        record(session, at=T0 + timedelta(hours=2), actor=CLERK, action="check.run", subject_key=COMPANY)
    with factory() as session:
        log = access_log(session, subject_key=COMPANY)
        assert [(e.seq, e.action, e.actor_label, e.purpose) for e in log] == [
            (6, "check.run", "张三（市场监管局）", None),
            (5, "report.issue", "李四（某银行）", "授权查询"),
            (1, "record.read", "张三（市场监管局）", "行政审批"),
        ]
        assert (log[1].actor_org, log[1].target_type, log[1].target_id) == ("bank-a", "report", "R-1")
        assert log[1].at == T0 + timedelta(hours=1) and log[1].at.utcoffset() is not None
        first = access_log(session, subject_key=COMPANY, limit=2)
        rest = access_log(session, subject_key=COMPANY, limit=2, before_seq=first[-1].seq)
        assert [e.seq for e in first + rest] == [6, 5, 1]
        assert access_log(session, subject_key=COMPANY, before_seq=1) == []
        other = access_log(session, subject_key=OTHER)
        assert [(e.seq, e.purpose) for e in other] == [(4, "贷款审查")]
        chosen = access_log(session, subject_key=COMPANY, actions={"record.create"})
        assert [e.seq for e in chosen] == [2]
        assert access_log(session, subject_key=COMPANY, actions=[]) == []
        assert access_log(session, subject_key="nobody") == []
        with pytest.raises(XinyongError) as refused:
            access_log(session, subject_key=COMPANY, limit=0)
        assert refused.value.code == "audit.limit"
    assert {"record.read", "archive.read", "report.issue", "check.run"} <= READ_ACTIONS
    assert "record.public_read" not in READ_ACTIONS


@pytest.mark.req("SEC-2")
def test_the_operator_reviews_events_newest_first(factory: sessionmaker[Session]) -> None:
    append(factory, 3)
    with transaction(factory) as session:
        record(
            session, at=T0, actor=PUBLIC, action="auth.login_failed", request_id="req-9", detail={"ip": "x"}
        )
    with factory() as session:
        everything = events(session)
        assert [e.seq for e in everything] == [4, 3, 2, 1]
        newest = everything[0]
        assert (newest.action, newest.actor_label, newest.request_id) == (
            "auth.login_failed",
            "公众",
            "req-9",
        )
        assert newest.detail == {"ip": "x"} and newest.at.utcoffset() == timedelta(hours=8)
        assert newest.prev_hash == everything[1].hash
        assert [e.seq for e in events(session, action="record.read", before_seq=3)] == [2, 1]
        assert [e.seq for e in events(session, subject_key=COMPANY, limit=1)] == [3]
        assert events(session, subject_key=OTHER) == []
    with factory() as session, session.begin():  # a tampered detail is shown, not a crash
        session.execute(update(AuditEvent).where(AuditEvent.seq == 1).values(detail="{broken"))
    with factory() as session:
        assert events(session, before_seq=2)[0].detail == {"_unreadable": "{broken"}


_text = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=12)
_event = st.fixed_dictionaries(
    {
        "at": st.datetimes(
            min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31), timezones=st.just(UTC)
        ),
        "actor": st.builds(
            AuditActor,
            account_id=st.none() | st.integers(1, 2**31 - 1),
            org=st.none() | _text,
            label=_text.filter(bool),
        ),
        "action": st.sampled_from(["record.read", "record.create", "org.create", "auth.login_failed"]),
        "target_id": st.none() | _text,
        "subject_key": st.none() | st.sampled_from([COMPANY, OTHER]),
        "purpose": st.none() | _text,
        "request_id": st.none() | _text,
        "detail": st.none() | st.dictionaries(_text, st.integers() | _text | st.booleans(), max_size=3),
    }
)
_FIELDS = [
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
    "hash",
]


def _changed(field: str, old: Any) -> Any:
    if field == "at":
        return old + timedelta(microseconds=1)
    if field == "actor_account_id":
        return 1 if old is None else old % 1000 + 1
    if field in ("prev_hash", "hash"):
        return ("1" if old[0] == "0" else "0") + old[1:]
    if field == "detail":
        return '{"forged":true}' if old == "{}" else old + " "
    return "x" if old is None else old + "x"


@pytest.mark.req("SEC-1")
@hypothesis_settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(_event, min_size=1, max_size=6), st.data())
def test_any_chain_verifies_and_any_single_change_is_found(
    engine: Engine, log: list[dict[str, Any]], data: st.DataObject
) -> None:
    _reset(engine)
    factory = session_factory(engine)
    with transaction(factory) as session:
        for fields in log:
            record(session, **fields)
    assert check(factory) == VerifyResult(
        True, len(log), None, None, f"审计链完整：已核对 {len(log)} 条记录，链头 seq {len(log)}"
    )
    seq = data.draw(st.integers(1, len(log)), label="seq")
    field = data.draw(st.sampled_from(_FIELDS), label="field")
    with engine.begin() as conn:
        old = conn.execute(select(getattr(AuditEvent, field)).where(AuditEvent.seq == seq)).scalar_one()
        conn.execute(update(AuditEvent).where(AuditEvent.seq == seq).values({field: _changed(field, old)}))
    result = check(factory)
    assert (result.ok, result.problem_code, result.first_bad_seq) == (False, "audit.altered", seq)
    _reset(engine)
