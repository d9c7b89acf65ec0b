"""Engine and sessions from ``XINYONG_DATABASE_URL``: an SQLite file by default, PostgreSQL in production."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from xinyong.errors import XinyongError


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the portal read while an import writes; SQLite leaves foreign keys off unless asked.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def make_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except Exception as exc:  # sqlalchemy raises ArgumentError and ValueError for bad URLs
        raise XinyongError(
            "database.url", f"数据库地址无效：{display_url(url)}（{exc}）", field="XINYONG_DATABASE_URL"
        ) from exc
    try:
        if parsed.get_backend_name() == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            # hide_parameters: a fault's log line must not carry password hashes or personal data.
            engine = create_engine(parsed, connect_args={"check_same_thread": False}, hide_parameters=True)
            event.listen(engine, "connect", _sqlite_pragmas)
            return engine
        # prepare_threshold=None: psycopg would otherwise prepare a statement after five runs, and the
        # server's generic plan for "name LIKE $1" cannot use the trigram index (a full scan per search).
        return create_engine(
            parsed, pool_pre_ping=True, hide_parameters=True, connect_args={"prepare_threshold": None}
        )
    except (SQLAlchemyError, OSError) as exc:
        raise XinyongError(
            "database.url", f"无法使用数据库 {display_url(url)}：{exc}", field="XINYONG_DATABASE_URL"
        ) from exc


def display_url(url: str) -> str:
    """The URL without its password, for logs and messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL is shown as the user typed it, minus anything after "@"
        return url.split("@")[-1]


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: committed if the block succeeds, rolled back whole if it raises."""
    with factory() as session, session.begin():
        yield session
