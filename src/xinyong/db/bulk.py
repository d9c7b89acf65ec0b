"""Set-based writes that work the same on SQLite and PostgreSQL (DESIGN principle 6).

PostgreSQL gets a batch by COPY into a temporary staging table and moves it on with one
``INSERT ... SELECT``: COPY is the server's fastest way in, several times faster than even batched VALUES.
SQLite, in-process, has no wire to save: one statement compiled once and run as SQLAlchemy's batched
"insertmanyvalues" is its fastest path. Both go through the Core table, not the ORM's unit of work.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Table, any_, bindparam, insert, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from xinyong.db.base import Base


def _table(model: type[Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _copy_to_stage(
    session: Session, table: Table, rows: Sequence[Mapping[str, Any]]
) -> tuple[str, list[str]]:
    """COPY ``rows`` into a new temporary table shaped like ``table``'s columns; its name and the columns."""
    columns = list(rows[0])
    stage = f"stage_{table.name}_{secrets.token_hex(4)}"
    names = ", ".join(f'"{c}"' for c in columns)
    shape = f'SELECT {names} FROM "{table.name}" WITH NO DATA'
    session.connection().execute(text(f"CREATE TEMPORARY TABLE {stage} ON COMMIT DROP AS {shape}"))
    _copy(session, stage, columns, rows)
    return stage, columns


def _copy(session: Session, target: str, columns: Sequence[str], rows: Sequence[Mapping[str, Any]]) -> None:
    names = ", ".join(f'"{c}"' for c in columns)
    cursor: Any = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(f"COPY {target} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[c] for c in columns])


def among(session: Session, column: Any, values: Sequence[Any]) -> ColumnElement[bool]:
    """``column IN values`` for a batch of thousands: one array parameter on PostgreSQL, where psycopg
    would otherwise rewrite a statement of thousands of placeholders on every execution."""
    if _postgresql(session):
        result: ColumnElement[bool] = column == any_(
            bindparam(None, list(values), type_=postgresql.ARRAY(column.type))
        )
    else:
        result = column.in_(values)
    return result


def insert_rows(session: Session, model: type[Base], rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` (all with the same keys) as they are."""
    if not rows:
        return
    table = _table(model)
    if _postgresql(session):
        _copy(session, f'"{table.name}"', list(rows[0]), rows)
        return
    session.connection().execute(insert(table), list(rows))


STAGED_ROWS = 1_000
"""Rows from which PostgreSQL gets them by COPY into a staging table (see ``insert_ignore_returning``)."""


def insert_ignore_returning(
    session: Session,
    model: type[Base],
    rows: Sequence[Mapping[str, Any]],
    conflict: Sequence[str],
    returning: Sequence[str],
) -> list[Any]:
    """Insert ``rows`` (all with the same keys), skipping those colliding on ``conflict``; the chosen
    columns of the new ones.

    On PostgreSQL the rows go in the order of their ``conflict`` key: a row whose key another transaction
    has just inserted waits for that one to end, so two writers taking overlapping keys in opposite orders
    (two imports sharing subjects) would each hold what the other waits for. In one order, they cannot.
    A batch goes by COPY into a staging table; a few rows go as one statement, as on SQLite: each staging
    table holds locks until the transaction ends, and a court list received in one transaction, whose
    every entry inserts its few tasks, ran out of PostgreSQL's lock slots."""
    if not rows:
        return []
    table = _table(model)
    on_postgresql = _postgresql(session)
    if not on_postgresql or len(rows) < STAGED_ROWS:
        ordered = sorted(rows, key=lambda row: tuple((row[c] is None, row[c]) for c in conflict))
        insert_into = postgresql.insert if on_postgresql else sqlite.insert
        statement = insert_into(table).on_conflict_do_nothing(index_elements=list(conflict))
        wanted = [table.c[name] for name in returning]
        return list(session.connection().execute(statement.returning(*wanted), ordered).all())
    stage, columns = _copy_to_stage(session, table, rows)
    names = ", ".join(f'"{c}"' for c in columns)
    keys = ", ".join(f'"{c}"' for c in conflict)
    result = session.connection().execute(
        text(
            f'INSERT INTO "{table.name}" ({names}) SELECT {names} FROM {stage} ORDER BY {keys} '
            f"ON CONFLICT ({keys}) DO NOTHING "
            f"RETURNING {', '.join(returning)}"
        )
    )
    found = list(result.all())
    session.connection().execute(text(f"DROP TABLE {stage}"))
    return found


def insert_ignore(
    session: Session, model: type[Base], rows: Sequence[Mapping[str, Any]], conflict: Sequence[str]
) -> int:
    """Insert ``rows``, skipping those colliding on ``conflict``; returns how many were new."""
    return len(insert_ignore_returning(session, model, rows, conflict, list(conflict)))


SQLITE_ANALYSIS_ROWS = 1000
"""Index entries SQLite samples per index when it analyses (``PRAGMA analysis_limit``): enough to know which
index narrows a lookup, and a database of a million records is analysed in a fraction of a second."""


def refresh_statistics(session: Session, tables: Sequence[str] = ()) -> None:
    """After a bulk load, tell the planner how big the tables (or, without names, all tables) now are.
    PostgreSQL with the old figures plans an index lookup of two rows as a parallel scan. SQLite without any
    took an equality on a list entry's status (every active entry) for narrower than its subject key, and a
    credit check of one code walked all active entries: 37 ms instead of 9 on a million records."""
    if _postgresql(session):
        session.execute(text(f"ANALYZE {', '.join(tables)}"))
        return
    session.execute(text(f"PRAGMA analysis_limit={SQLITE_ANALYSIS_ROWS}"))
    for name in tables or ("",):
        session.execute(text(f"ANALYZE {name}".strip()))
