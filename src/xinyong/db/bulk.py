"""Set-based writes that work the same on SQLite and PostgreSQL (DESIGN principle 6)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from xinyong.db.base import Base

# Rows per statement: SQLite caps the bound parameters of one statement.
CHUNK = 500


def _insert(session: Session, model: type[Base]) -> Any:
    module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return module.insert(model)


def insert_ignore(
    session: Session, model: type[Base], rows: Sequence[Mapping[str, Any]], conflict: Sequence[str]
) -> int:
    """Insert ``rows`` a chunk per statement, skipping those colliding on ``conflict``; returns new rows."""
    inserted = 0
    for start in range(0, len(rows), CHUNK):
        chunk = list(rows[start : start + CHUNK])
        statement = (
            _insert(session, model).values(chunk).on_conflict_do_nothing(index_elements=list(conflict))
        )
        inserted += int(getattr(session.execute(statement), "rowcount", 0) or 0)
    return inserted


def insert_ignore_returning(
    session: Session,
    model: type[Base],
    rows: Sequence[Mapping[str, Any]],
    conflict: Sequence[str],
    returning: Sequence[str],
) -> list[Any]:
    """Like :func:`insert_ignore`, returning the chosen columns of the rows that were new."""
    found: list[Any] = []
    columns = [getattr(model, name) for name in returning]
    for start in range(0, len(rows), CHUNK):
        chunk = list(rows[start : start + CHUNK])
        statement = (
            _insert(session, model)
            .values(chunk)
            .on_conflict_do_nothing(index_elements=list(conflict))
            .returning(*columns)
        )
        found.extend(session.execute(statement).all())
    return found
