"""Two writers inserting overlapping keys in opposite orders on PostgreSQL (two imports sharing subjects):
the set-based insert takes its keys in one order, so one writer waits for the other instead of both
waiting for each other until PostgreSQL aborts one as a deadlock."""

from __future__ import annotations

import os
import threading
import time
from datetime import datetime

import pytest
from sqlalchemy import Engine, text

from tests.conftest import uscc_code
from xinyong.clock import CHINA_TZ
from xinyong.db.engine import session_factory, transaction
from xinyong.rules.identifiers import validate
from xinyong.subjects import service as subjects

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=CHINA_TZ)
PATIENCE_SECONDS = 30

pytestmark = pytest.mark.skipif(
    not os.environ.get("XINYONG_TEST_DATABASE_URL"),
    reason="SQLite lets one writer in at a time: concurrent writers are a PostgreSQL matter",
)


def _subject(seed: int) -> subjects.NewSubject:
    return subjects.NewSubject(validate(uscc_code(seed)), f"并发公司{seed}")


def _waiting_for_a_lock(engine: Engine) -> bool:
    query = (
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
    )
    with engine.connect() as conn:
        return bool(conn.execute(text(query)).scalar())


def test_writers_taking_shared_keys_in_opposite_orders_do_not_deadlock(engine: Engine) -> None:
    low, high = _subject(7_700_001), _subject(7_700_002)
    with engine.connect() as conn:  # in the key column's collation, as the database orders the keys
        first_key = conn.execute(
            text("SELECT min(key) FROM (VALUES (CAST(:a AS text)), (:b)) AS k(key)"),
            {"a": low.identifier.value, "b": high.identifier.value},
        ).scalar()
    if first_key != low.identifier.value:
        low, high = high, low
    factory = session_factory(engine)
    outcome: dict[str, object] = {}

    def second_writer() -> None:
        try:
            with transaction(factory) as session:
                outcome["new"] = subjects.ensure(session, subjects=[high, low], now=NOW)
        except Exception as exc:  # reported by the assertion below
            outcome["error"] = exc

    with transaction(factory) as first:
        assert subjects.ensure(first, subjects=[low], now=NOW) == 1
        writer = threading.Thread(target=second_writer)
        writer.start()
        deadline = time.monotonic() + PATIENCE_SECONDS
        while not _waiting_for_a_lock(engine):
            assert writer.is_alive(), f"the second writer did not wait for the first: {outcome}"
            assert time.monotonic() < deadline, "the second writer never reached the shared key"
            time.sleep(0.02)
        # Had the second writer taken ``high`` before waiting on ``low``, this would wait on it in turn.
        assert subjects.ensure(first, subjects=[high], now=NOW) == 1
    writer.join(PATIENCE_SECONDS)
    assert outcome == {"new": 0}
