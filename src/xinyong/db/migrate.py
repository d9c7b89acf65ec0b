"""Schema migrations: ``xinyong init`` and the tests bring a database to the newest revision."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, column, select, table
from sqlalchemy.exc import OperationalError, ProgrammingError

MIGRATIONS = Path(__file__).parent / "migrations"
# Search aids the migrations create that the models do not describe (migration 0011).
SEARCH_OBJECTS = frozenset({"subject_name_fts", "ix_subject_name_search_trgm"})
VERSION = table("alembic_version", column("version_num"))


def modelled(name: str | None, type_: str, parent_names: object) -> bool:
    """For Alembic's comparisons: everything but the search aids (and the FTS5 table's shadow tables)."""
    return name is None or not any(name == n or name.startswith(f"{n}_") for n in SEARCH_OBJECTS)


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


@cache
def head_revision() -> str | None:
    """The newest migration shipped; read from the scripts once per process (they do not change under it)."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at. Read with one plain query (``/healthz`` asks on every probe, and
    Alembic's own reader builds its table and inspects the schema each time); Alembic answers when the version
    table is missing or holds more than one revision."""
    with engine.connect() as conn:
        try:
            found = conn.execute(select(VERSION.c.version_num)).scalars().all()
        except (OperationalError, ProgrammingError):
            found = None
            conn.rollback()  # PostgreSQL refuses more statements in a failed transaction
        if found is not None and len(found) <= 1:
            return found[0] if found else None
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine) -> None:
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
