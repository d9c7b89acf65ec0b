"""subjects: an index for finding names by any part of them (DIS-2)

A name search matches anywhere in the name (``LIKE '%…%'``), which no B-tree serves. PostgreSQL gets a trigram
GIN index (pg_trgm) when the extension can be created; SQLite gets an FTS5 trigram table kept in step with
``subject`` by triggers. Both are search aids the models do not describe (``migrate.SEARCH_OBJECTS``).

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-23 17:30:00
"""

from __future__ import annotations

import logging

from alembic import op
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

FORGET = (
    "INSERT INTO subject_name_fts(subject_name_fts, rowid, name_search) "
    "VALUES ('delete', old.id, old.name_search);"
)
SQLITE = [
    "CREATE VIRTUAL TABLE subject_name_fts USING fts5("
    "name_search, content='subject', content_rowid='id', tokenize='trigram')",
    "INSERT INTO subject_name_fts(rowid, name_search) SELECT id, name_search FROM subject",
    "CREATE TRIGGER subject_name_fts_insert AFTER INSERT ON subject BEGIN "
    "INSERT INTO subject_name_fts(rowid, name_search) VALUES (new.id, new.name_search); END",
    f"CREATE TRIGGER subject_name_fts_delete AFTER DELETE ON subject BEGIN {FORGET} END",
    f"CREATE TRIGGER subject_name_fts_update AFTER UPDATE OF name_search ON subject BEGIN {FORGET} "
    "INSERT INTO subject_name_fts(rowid, name_search) VALUES (new.id, new.name_search); END",
]


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for statement in SQLITE:
            op.execute(statement)
        return
    try:
        with bind.begin_nested():
            bind.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except DBAPIError:
        log.warning("pg_trgm is not available: name searches will scan the subject table")
        return
    op.execute("CREATE INDEX ix_subject_name_search_trgm ON subject USING gin (name_search gin_trgm_ops)")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS subject_name_fts_{name}")
        op.execute("DROP TABLE IF EXISTS subject_name_fts")
        return
    op.execute("DROP INDEX IF EXISTS ix_subject_name_search_trgm")
