"""subjects: SQLite's name index holds organisations only, in the order a search lists them (DIS-2, DATA-3)

The FTS5 trigram table of migration 0011 indexed every subject under its own id, so each search read the
name of up to a thousand matches from ``subject`` to leave out people and to put shorter names first. It is
rebuilt contentless, with organisations only, each under a rowid of its name's length times 2^32 plus its
id: the index returns matches already shortest name first, and a page of results reads just its own
subjects. PostgreSQL keeps its trigram index (migration 0011) and ranks the same way in the query.

Revision ID: 0028
Revises: 0027
Create Date: 2026-11-27 05:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None

TRIGGERS = ("insert", "delete", "update")
RANK = "(length({row}.name_search) << 32) + {row}.id"  # subjects.service.RANK_SPAN is 2^32
ORGANISATION = "{row}.id_kind = 'uscc'"


def _index(row: str, *, forget: bool = False) -> str:
    """Add ``row`` (``new``, ``old``, a table) to the index, or take it out (FTS5's 'delete' command, which a
    contentless table needs with the values it was given)."""
    command, delete = ("subject_name_fts, ", "'delete', ") if forget else ("", "")
    return (
        f"INSERT INTO subject_name_fts({command}rowid, name_search) "
        f"SELECT {delete}{RANK.format(row=row)}, {row}.name_search WHERE {ORGANISATION.format(row=row)};"
    )


RANKED = [
    "CREATE VIRTUAL TABLE subject_name_fts USING fts5(name_search, content='', tokenize='trigram')",
    f"INSERT INTO subject_name_fts(rowid, name_search) SELECT {RANK.format(row='subject')}, name_search "
    f"FROM subject WHERE {ORGANISATION.format(row='subject')}",
    f"CREATE TRIGGER subject_name_fts_insert AFTER INSERT ON subject BEGIN {_index('new')} END",
    f"CREATE TRIGGER subject_name_fts_delete AFTER DELETE ON subject BEGIN {_index('old', forget=True)} END",
    "CREATE TRIGGER subject_name_fts_update AFTER UPDATE OF name_search, id_kind ON subject "
    f"BEGIN {_index('old', forget=True)} {_index('new')} END",
]

_FORGET_BY_ID = (
    "INSERT INTO subject_name_fts(subject_name_fts, rowid, name_search) "
    "VALUES ('delete', old.id, old.name_search);"
)
BY_ID = [  # migration 0011's shape, for a downgrade
    "CREATE VIRTUAL TABLE subject_name_fts USING fts5("
    "name_search, content='subject', content_rowid='id', tokenize='trigram')",
    "INSERT INTO subject_name_fts(rowid, name_search) SELECT id, name_search FROM subject",
    "CREATE TRIGGER subject_name_fts_insert AFTER INSERT ON subject BEGIN "
    "INSERT INTO subject_name_fts(rowid, name_search) VALUES (new.id, new.name_search); END",
    f"CREATE TRIGGER subject_name_fts_delete AFTER DELETE ON subject BEGIN {_FORGET_BY_ID} END",
    f"CREATE TRIGGER subject_name_fts_update AFTER UPDATE OF name_search ON subject BEGIN {_FORGET_BY_ID} "
    "INSERT INTO subject_name_fts(rowid, name_search) VALUES (new.id, new.name_search); END",
]


def _rebuild(statements: list[str]) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS subject_name_fts_{name}")
    op.execute("DROP TABLE IF EXISTS subject_name_fts")
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    _rebuild(RANKED)


def downgrade() -> None:
    _rebuild(BY_ID)
