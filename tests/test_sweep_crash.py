"""The daily sweep killed with SIGKILL half-way and run again, and sweeps and imports at the same time on
PostgreSQL: every record whose public period ended leaves public view exactly once, every agency that was
given one is told once, and the audit chain holds (SEC-4, DIS-8, PER-2, ING-3)."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from xinyong.access import service as access
from xinyong.access.actors import system_actor
from xinyong.access.policy import policy
from xinyong.db.engine import session_factory, transaction

from .crash import Own, chain_intact, finish, importing, kill_when, own, penalties, start

__all__ = ["own"]

# The generated penalties are public for a year from 2026-04-10: all of them have ended by then.
ENDED = date(2027, 11, 1)
AGENCIES = ("agency-a", "agency-b")


def _imported(own: Own, path: Path) -> int:
    """How many rows of the file ``xinyong import`` accepted."""
    return int(json.loads(finish(start(own, *importing(path), "--json")))["accepted"])


def _handed_to_agencies(own: Own) -> int:
    """Every record to one agency and every third to another, as the gate notes what agencies are shown
    (DIS-8); how many receipts that makes."""
    rules = policy()
    with transaction(session_factory(own.engine)) as session:
        for code in AGENCIES:
            access.create_org(
                session,
                by=system_actor(rules),
                now=own.settings.clock.now(),
                code=code,
                name="信用服务机构",
                kind="agency",
            )
        for code, every in zip(AGENCIES, (1, 3), strict=True):
            session.execute(
                text(
                    "INSERT INTO disclosure_receipt (org_code, record_id, subject_key, at) "
                    "SELECT :org, id, subject_key, created_at FROM record WHERE id % :every = 0"
                ),
                {"org": code, "every": every},
            )
    return own.scalar("SELECT count(*) FROM disclosure_receipt")


def _expired_once(own: Own, count: int, receipts: int) -> None:
    """Each of the ``count`` records archived with one expiry version, each receipt answered by
    one stop-use message, nothing else sent, and the audit chain whole."""
    assert own.scalar("SELECT count(*) FROM record WHERE state = 'archived' AND version = 2") == count
    expiries = (
        "SELECT count(*), count(DISTINCT record_id) FROM record_version "
        "WHERE procedure = 'expiry' AND version = 2 AND state = 'archived'"
    )
    with own.engine.connect() as conn:
        assert tuple(conn.execute(text(expiries)).one()) == (count, count)
    answered = (
        "SELECT count(*) FROM disclosure_receipt r JOIN outbox_message m "
        "ON m.dedupe_key = 'stop_use:' || r.org_code || ':' || r.record_id"
    )
    assert own.scalar(answered) == receipts
    assert own.scalar("SELECT count(*) FROM outbox_message WHERE kind = 'stop_use'") == receipts
    assert chain_intact(own.engine).ok


@pytest.mark.req("SEC-4", "SEC-1", "DIS-8", "PER-2")
def test_a_sweep_killed_half_way_and_run_again_ends_each_period_once(own: Own, tmp_path: Path) -> None:
    rows = 20_000
    assert _imported(own, penalties(tmp_path / "penalties.csv", range(rows))) == rows
    receipts = _handed_to_agencies(own)
    archived = "SELECT count(*) FROM record WHERE state = 'archived'"

    # One transaction per batch of records: the kill falls between batches or undoes the one under way.
    killed = start(own, "sweep", "--as-of", ENDED.isoformat())
    kill_when(killed, lambda: 0 < own.scalar(archived) < rows)
    before = own.scalar(archived)
    sent = own.scalar("SELECT count(*) FROM outbox_message WHERE kind = 'stop_use'")
    assert 0 < before < rows and 0 < sent < receipts

    result = json.loads(finish(start(own, "sweep", "--as-of", ENDED.isoformat(), "--json")))
    assert (result["expired"], result["notices"]) == (rows - before, receipts - sent)
    _expired_once(own, rows, receipts)


@pytest.mark.skipif(
    not os.environ.get("XINYONG_TEST_DATABASE_URL"),
    reason="SQLite lets one writer in at a time: concurrent writers are a PostgreSQL matter",
)
@pytest.mark.req("SEC-4", "SEC-1", "ING-3", "ING-6", "DIS-8", "PER-2")
def test_two_imports_and_two_sweeps_at_once_lose_and_double_nothing(own: Own, tmp_path: Path) -> None:
    # Standing before anything starts: what the sweeps find at once, handed to agencies.
    assert _imported(own, penalties(tmp_path / "earlier.csv", range(30_000, 40_000))) == 10_000
    receipts = _handed_to_agencies(own)
    # Then two deliveries of 20,000 rows sharing 10,000, the second in reverse order.
    first = penalties(tmp_path / "first.csv", range(20_000))
    second = penalties(tmp_path / "second.csv", reversed(range(10_000, 30_000)))

    imports = [start(own, *importing(path), "--json") for path in (first, second)]
    sweeps = [start(own, "sweep", "--as-of", ENDED.isoformat(), "--json") for _ in range(2)]
    summaries = [json.loads(finish(process)) for process in imports]
    swept = [json.loads(finish(process)) for process in sweeps]

    assert sum(s["accepted"] for s in summaries) == 30_000
    assert sum(s["duplicates"] for s in summaries) == 10_000
    assert sum(s["rejected"] + s["corrected"] for s in summaries) == 0
    assert own.scalar("SELECT count(*) FROM record") == 40_000
    assert own.scalar("SELECT count(DISTINCT document_number) FROM record") == 40_000
    # Whatever the sweeps moved, they moved once between them; the earlier records all.
    expired = sum(s["expired"] for s in swept)
    assert expired == own.scalar("SELECT count(*) FROM record WHERE state = 'archived'")
    assert expired >= 10_000 and sum(s["notices"] for s in swept) == receipts

    # What the imports brought meanwhile is left to the next sweep, which finds nothing done twice.
    finish(start(own, "sweep", "--as-of", ENDED.isoformat()))
    _expired_once(own, 40_000, receipts)
