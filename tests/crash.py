"""What the crash and concurrency tests share: a database of each test's own (a fresh SQLite file, or a fresh
PostgreSQL database beside the suite's when XINYONG_TEST_DATABASE_URL is set), the ``xinyong`` command run
as a separate process against it, and killing that process with SIGKILL once the database shows it is
half-way through its work."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from xinyong.audit import service as audit
from xinyong.db.bootstrap import initialise
from xinyong.db.engine import make_engine, session_factory
from xinyong.settings import Settings

from .conftest import TODAY

POLL_SECONDS = 0.02
PATIENCE_SECONDS = 300


@dataclass(frozen=True)
class Own:
    """A migrated database of one test, the settings that reach it and the same as environment variables."""

    settings: Settings
    engine: Engine

    @property
    def env(self) -> dict[str, str]:
        return {
            "XINYONG_DATABASE_URL": self.settings.database_url,
            "XINYONG_DATA_DIR": str(self.settings.data_dir),
            "XINYONG_PROFILE": self.settings.profile,
            "XINYONG_FIXED_DATE": TODAY.isoformat(),
        }

    def scalar(self, sql: str, **params: object) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(text(sql), params).scalar_one())


@pytest.fixture
def own(tmp_path: Path) -> Iterator[Own]:
    suite = os.environ.get("XINYONG_TEST_DATABASE_URL")
    if not suite:
        url = f"sqlite:///{tmp_path / 'own.db'}"
        yield from _migrated(url, tmp_path)
        return
    server = make_url(suite)
    name = f"{server.database}_own_{secrets.token_hex(4)}"[-63:]
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield from _migrated(server.set(database=name).render_as_string(hide_password=False), tmp_path)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _migrated(url: str, tmp_path: Path) -> Iterator[Own]:
    settings = Settings(database_url=url, data_dir=tmp_path / "var", fixed_date=TODAY, profile="national")
    engine = make_engine(url)
    initialise(engine, settings)
    try:
        yield Own(settings, engine)
    finally:
        engine.dispose()


def start(own: Own, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """``xinyong ARGS`` as a process of its own, its output kept for the test."""
    return subprocess.Popen(
        [sys.executable, "-m", "xinyong", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "COLUMNS": "200", **own.env, **(env or {})},
    )


def finish(process: subprocess.Popen[str]) -> str:
    """Wait for a process that must succeed; its standard output."""
    out, err = process.communicate(timeout=PATIENCE_SECONDS)
    assert process.returncode == 0, err
    return out


def kill_when(process: subprocess.Popen[str], ready: Callable[[], bool]) -> None:
    """SIGKILL ``process`` as soon as ``ready()`` holds; fails if it finished first."""
    deadline = time.monotonic() + PATIENCE_SECONDS
    while not ready():
        assert process.poll() is None, f"finished before it could be killed: {process.communicate()[1]}"
        assert time.monotonic() < deadline, "no progress to interrupt"
        time.sleep(POLL_SECONDS)
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=PATIENCE_SECONDS)
    assert process.returncode == -signal.SIGKILL


def chain_intact(engine: Engine) -> audit.VerifyResult:
    with session_factory(engine)() as session:
        return audit.verify(session)
