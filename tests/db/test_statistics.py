"""The planner's statistics after a bulk load, on both databases: without them SQLite chose an index on a
list entry's status over its subject key and a one-code credit check walked every active entry."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, text

from tests.conftest import uscc_code
from xinyong.clock import CHINA_TZ
from xinyong.db.bulk import refresh_statistics
from xinyong.db.engine import session_factory, transaction
from xinyong.rules.identifiers import validate
from xinyong.subjects import service as subjects

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=CHINA_TZ)


def _analysed(engine: Engine, table: str) -> bool:
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            query = "SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables WHERE relname = :t"
        else:
            query = "SELECT count(*) > 0 FROM sqlite_stat1 WHERE tbl = :t"
        return bool(conn.execute(text(query), {"t": table}).scalar())


def test_a_bulk_load_leaves_statistics_for_the_planner(engine: Engine) -> None:
    with transaction(session_factory(engine)) as session:
        subjects.ensure(
            session,
            subjects=[subjects.NewSubject(validate(uscc_code(900 + n)), f"统计公司{n}") for n in range(50)],
            now=NOW,
        )
        refresh_statistics(session, ["subject"])
    assert _analysed(engine, "subject")


def test_without_names_every_table_is_analysed(engine: Engine) -> None:
    with transaction(session_factory(engine)) as session:
        subjects.ensure(
            session, subjects=[subjects.NewSubject(validate(uscc_code(990)), "统计公司")], now=NOW
        )
        refresh_statistics(session)
    assert _analysed(engine, "subject")
