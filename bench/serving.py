"""What the serving benchmarks share: a demo database of the asked size (or the one kept from a run before),
``xinyong serve`` started in its own process on a free port, and a sample of its subjects to ask for."""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import func, select

from xinyong import demo
from xinyong.db.bootstrap import initialise
from xinyong.db.engine import make_engine, session_factory
from xinyong.records.models import Record
from xinyong.settings import Settings
from xinyong.subjects.models import Subject

TODAY = date(2026, 11, 23)
START_TIMEOUT_S = 60


@dataclass(frozen=True)
class Database:
    settings: Settings
    records: int
    dialect: str


@dataclass(frozen=True)
class Sampled:
    key: str
    name: str
    kind: str


def add_arguments(parser: argparse.ArgumentParser, *, subjects: int) -> None:
    """The options every serving benchmark takes: the data, where it lives, and the server's processes."""
    parser.add_argument("--subjects", type=int, default=subjects, help="420000 give about 1,000,000 records")
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--data-dir", default=None, help="kept between runs with --reuse")
    parser.add_argument("--reuse", action="store_true", help="use the data already in the database")
    parser.add_argument("--workers", type=int, default=1, help="server processes (xinyong serve --workers)")


def prepare(args: argparse.Namespace, prefix: str) -> Database:
    """The database the arguments name, initialised and, unless ``--reuse``, filled by the demo generator
    with a progress bar (about 10 minutes for a million records)."""
    folder = Path(args.data_dir or tempfile.mkdtemp(prefix=prefix))
    url = args.database_url or f"sqlite:///{folder / 'bench.db'}"
    settings = Settings(database_url=url, data_dir=folder / "var", fixed_date=TODAY)
    engine = make_engine(url)
    initialise(engine, settings)
    if not args.reuse:
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, transient=False) as progress:
            task = progress.add_task("demo", total=args.subjects)

            def shown(stage: str, done: int, total: int) -> None:
                progress.update(task, description=stage, completed=done, total=total)

            demo.generate(settings, subjects=args.subjects, seed=args.seed, progress=shown)
    with session_factory(engine)() as session:
        records = int(session.scalar(select(func.count()).select_from(Record)) or 0)
    engine.dispose()
    return Database(settings=settings, records=records, dialect=engine.dialect.name)


def sample(settings: Settings, count: int) -> list[Sampled]:
    """``count`` subjects picked at random by the database."""
    engine = make_engine(settings.database_url)
    with session_factory(engine)() as session:
        rows = session.execute(
            select(Subject.key, Subject.name, Subject.kind).order_by(func.random()).limit(count)
        )
        found = [Sampled(key=key, name=name, kind=kind) for key, name, kind in rows]
    engine.dispose()
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answers(port: int) -> bool:
    try:
        probe = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        probe.request("GET", "/healthz")
        return probe.getresponse().status == 200
    except OSError:
        return False


@contextmanager
def served(settings: Settings, workers: int) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    """``xinyong serve`` on a free port with the benchmark's database, once ``/healthz`` answers; stopped
    on leaving. Yields the port and the server process (its workers are its children)."""
    port = free_port()
    env = {
        **os.environ,
        "XINYONG_DATABASE_URL": settings.database_url,
        "XINYONG_DATA_DIR": str(settings.data_dir),
        "XINYONG_FIXED_DATE": TODAY.isoformat(),
    }
    command = [sys.executable, "-m", "xinyong", "serve", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--workers", str(workers)]
    # A file, not a pipe: a pipe nobody reads would block the server once full.
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=log)
        try:
            deadline = time.monotonic() + START_TIMEOUT_S
            while not _answers(port):
                if time.monotonic() > deadline or server.poll() is not None:
                    server.kill()
                    log.seek(0)
                    raise SystemExit(f"server did not start: {log.read().decode(errors='replace')}")
                time.sleep(0.2)
            yield port, server
        finally:
            server.terminate()
            server.wait(timeout=30)
