"""What the crash and concurrency tests share: a database of each test's own (a fresh SQLite file, or a fresh
PostgreSQL database beside the suite's when XINYONG_TEST_DATABASE_URL is set) with a provider organisation,
penalty files of any size, the ``xinyong`` command run as a separate process against that database, and
killing that process with SIGKILL once the database shows it is half-way through its work."""

from __future__ import annotations

import csv
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from xinyong.access import service as access
from xinyong.access.actors import system_actor
from xinyong.access.policy import policy
from xinyong.audit import service as audit
from xinyong.db.bootstrap import initialise
from xinyong.db.engine import make_engine, session_factory, transaction
from xinyong.settings import Settings

from .conftest import TODAY, uscc_code
from .records.conftest import penalty

POLL_SECONDS = 0.02
PATIENCE_SECONDS = 300
PROVIDER = "scj"
SUBJECTS = 20_000


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
    """A database no other test writes to: the commands under test work on all of it (a sweep ends every
    period due), and what they leave (100,000 records) slows no other test."""
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
    with transaction(session_factory(engine)) as session:
        access.create_org(
            session,
            by=system_actor(policy()),
            now=settings.clock.now(),
            code=PROVIDER,
            name="市场监督管理局",
            kind="provider",
        )
    try:
        yield Own(settings, engine)
    finally:
        engine.dispose()


def penalties(path: Path, numbers: Iterable[int]) -> Path:
    """A CSV file of penalties in the item's own field names, one row per number, each with a document
    number of its own, spread over ``SUBJECTS`` companies."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(penalty("")))
        writer.writeheader()
        for n in numbers:
            company = n % SUBJECTS
            writer.writerow(
                penalty(f"济市监罚〔2026〕{n}号", uscc=uscc_code(company), subject_name=f"测试企业{company}")
            )
    return path


def importing(path: Path) -> list[str]:
    """The command that imports a file of :func:`penalties` as the provider's."""
    return ["import", str(path), "--item", "admin-penalty", "--provider", PROVIDER, "--severity", "general"]


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
