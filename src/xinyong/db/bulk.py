"""Set-based writes that work the same on SQLite and PostgreSQL (DESIGN principle 6)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

# Rows per statement: SQLite caps the bound parameters of one statement.
CHUNK = 500


def insert_ignore(
    session: Session, table: Table, rows: Sequence[Mapping[str, Any]], conflict: Sequence[str]
) -> int:
    """Insert ``rows`` a chunk per statement, skipping those colliding on ``conflict``; returns new rows."""
    module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    inserted = 0
    for start in range(0, len(rows), CHUNK):
        chunk = list(rows[start : start + CHUNK])
        statement = module.insert(table).values(chunk).on_conflict_do_nothing(index_elements=list(conflict))
        inserted += int(getattr(session.execute(statement), "rowcount", 0) or 0)
    return inserted
