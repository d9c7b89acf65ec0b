"""``xinyong init`` migrates to head, loads reference data, and is harmless to repeat."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from xinyong.db import migrate
from xinyong.db.base import Base
from xinyong.db.bootstrap import initialise
from xinyong.settings import Settings


def test_init_migrates_to_head_and_is_idempotent(engine: Engine, settings: Settings) -> None:
    assert migrate.current_revision(engine) == migrate.head_revision()
    again = initialise(engine, settings)
    assert {r.name for r in again.datasets} == {"holidays", "profile", "access-policy", "catalog", "lists"}
    assert not any(r.changed for r in again.datasets) and not again.operator_created
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT name, entries FROM reference_dataset ORDER BY name")).all()
        operators = conn.execute(
            text("SELECT count(*) FROM organisation WHERE kind = 'operator'")
        ).scalar_one()
    assert [tuple(r) for r in rows] == [
        ("access-policy", 9),  # market: the collector role (MKT-1)
        ("catalog", 12),  # government dishonesty; the market catalog's two items (MKT-1, MKT-2)
        ("holidays", 0),
        ("lists", 12),
        ("profile", 1),
    ]
    assert operators == 1


def test_changing_the_profile_reloads_only_the_profile(engine: Engine, settings: Settings) -> None:
    results = initialise(engine, settings.model_copy(update={"profile": "jiangsu"})).datasets
    assert {r.name: r.changed for r in results} == {
        "holidays": False,
        "profile": True,
        "access-policy": False,
        "catalog": False,
        "lists": False,
    }
    with engine.connect() as conn:
        source = conn.execute(
            text("SELECT source FROM reference_dataset WHERE name = 'profile'")
        ).scalar_one()
    assert source == "jiangsu"
    initialise(engine, settings)


def test_migrations_match_the_models(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": migrate.modelled})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []
    assert "reference_dataset" in inspect(engine).get_table_names()


def test_sqlite_runs_with_wal_and_foreign_keys(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
