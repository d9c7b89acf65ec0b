"""Set-based writes that work the same on SQLite and PostgreSQL (DESIGN principle 6)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from xinyong.db.base import Base


def _insert(session: Session, model: type[Base]) -> Any:
    module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return module.insert(model)


def insert_ignore_returning(
    session: Session,
    model: type[Base],
    rows: Sequence[Mapping[str, Any]],
    conflict: Sequence[str],
    returning: Sequence[str],
) -> list[Any]:
    """Insert ``rows``, skipping those colliding on ``conflict``; the chosen columns of the new ones.

    One statement compiled once and sent as SQLAlchemy's batched "insertmanyvalues" with RETURNING.
    """
    if not rows:
        return []
    columns = [getattr(model, name) for name in returning]
    statement = (
        _insert(session, model).on_conflict_do_nothing(index_elements=list(conflict)).returning(*columns)
    )
    return list(session.execute(statement, list(rows)).all())


def insert_ignore(
    session: Session, model: type[Base], rows: Sequence[Mapping[str, Any]], conflict: Sequence[str]
) -> int:
    """Insert ``rows``, skipping those colliding on ``conflict``; returns how many were new."""
    return len(insert_ignore_returning(session, model, rows, conflict, list(conflict)))
