"""``xinyong backup`` and ``xinyong restore``: one archive of an SQLite deployment, checked file by file, and
the documented pg_dump/pg_restore procedure for PostgreSQL (SEC-4, SEC-1).

The SQLite tests run on files of their own whichever database the suite runs on: the commands are for
SQLite, and PostgreSQL has its own round trip below.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.records.conftest import penalty
from tests.records.test_import import write_csv
from xinyong.db.bootstrap import initialise
from xinyong.db.engine import make_engine
from xinyong.settings import Settings

DOCUMENT = "documents/XY20261123-0001.pdf"


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "xinyong", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "200", **env},
    )


def deployment(folder: Path) -> dict[str, str]:
    return {"XINYONG_DATABASE_URL": f"sqlite:///{folder}/xinyong.db", "XINYONG_DATA_DIR": str(folder / "var")}


def database_of(env: dict[str, str]) -> Path:
    return Path(env["XINYONG_DATABASE_URL"].removeprefix("sqlite:///"))


def rows(database: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, in a stable order."""
    with sqlite3.connect(database) as conn:
        tables = [
            r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        ]
        return {t: sorted(conn.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables}


def files(data_dir: Path) -> dict[str, bytes]:
    return {p.relative_to(data_dir).as_posix(): p.read_bytes() for p in data_dir.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A deployment with a provider, three penalty records, an anchored audit chain and a stored document."""
    folder = tmp_path_factory.mktemp("deployment")
    env = deployment(folder)
    assert run("init", env=env).returncode == 0
    added = run("org", "add", "--code", "scjgj", "--name", "市场监督管理局", "--kind", "provider", env=env)
    assert added.returncode == 0, added.stderr
    csv = write_csv(folder / "处罚.csv", [penalty(f"市监罚〔2026〕{n}号") for n in (1, 2, 3)])
    imported = run(
        "import",
        str(csv),
        "--item",
        "admin-penalty",
        "--provider",
        "scjgj",
        "--severity",
        "general",
        "--json",
        env=env,
    )
    assert imported.returncode == 0 and json.loads(imported.stdout)["accepted"] == 3, imported.stderr
    assert run("audit", "verify", env=env).returncode == 0  # writes the anchor file into the data directory
    document = Path(env["XINYONG_DATA_DIR"]) / DOCUMENT
    document.parent.mkdir(parents=True)
    document.write_bytes(b"%PDF-1.4 decision\n")
    return folder


@pytest.fixture
def source(built: Path, tmp_path: Path) -> dict[str, str]:
    """A copy of the deployment for one test to change."""
    shutil.copytree(built, tmp_path / "source")
    return deployment(tmp_path / "source")


@pytest.mark.req("SEC-4", "SEC-1")
def test_a_backup_restores_the_same_rows_and_files_with_the_audit_chain_intact(
    source: dict[str, str], tmp_path: Path
) -> None:
    archive = tmp_path / "backup.zip"
    made = run("backup", str(archive), "--json", env=source)
    assert made.returncode == 0, made.stderr
    manifest = json.loads(made.stdout)
    listed = {entry["path"] for entry in manifest["files"]}
    assert {"database.sqlite3", f"data/{DOCUMENT}", "data/audit-anchors.txt"} <= listed
    assert manifest["schema_revision"] and manifest["version"] == 1 and manifest["created_at"]
    assert archive.stat().st_mode & 0o077 == 0  # it carries the secret key: its owner's only
    target = deployment(tmp_path / "restored")
    restored = run("restore", str(archive), "--json", env=target)
    assert restored.returncode == 0, restored.stderr
    report = json.loads(restored.stdout)
    assert report["audit"]["ok"] and report["audit"]["checked"] > 0 and report["set_aside"] == []
    original, copy = rows(database_of(source)), rows(database_of(target))
    assert without_trail(copy) == without_trail(original) and copy["record"]
    assert files(Path(target["XINYONG_DATA_DIR"])) == files(Path(source["XINYONG_DATA_DIR"]))
    assert run("audit", "verify", env=target).returncode == 0


@pytest.mark.req("SEC-4", "SEC-1")
def test_the_trail_says_who_took_a_backup_and_that_a_database_was_restored_from_it(
    source: dict[str, str], tmp_path: Path
) -> None:
    before = trail(source)
    archive = tmp_path / "备份.zip"
    made = run("backup", str(archive), "--json", env=source)
    assert made.returncode == 0 and json.loads(made.stdout)["audited"] and "审计" not in made.stderr
    taken = trail(source)
    assert taken[:-1] == before and taken[-1][:3] == ("backup.create", "backup", "备份.zip")
    assert taken[-1][3]["files"] >= 3 and taken[-1][3]["schema_revision"]
    target = deployment(tmp_path / "restored")
    restored = run("restore", str(archive), "--json", env=target)
    assert restored.returncode == 0, restored.stderr
    after = trail(target)  # the backup's own event came after the copy: the restored trail never had it
    assert after[:-1] == before and after[-1][:3] == ("backup.restore", "backup", "备份.zip")
    assert json.loads(restored.stdout)["audited"]
    assert after[-1][3]["created_at"] == json.loads(restored.stdout)["created_at"]
    assert run("audit", "verify", env=target).returncode == 0  # the chain goes on from the restored head


def trail(env: dict[str, str]) -> list[tuple[str, str | None, str | None, dict[str, Any]]]:
    with sqlite3.connect(database_of(env)) as conn:
        events = conn.execute("SELECT action, target_type, target_id, detail FROM audit_event ORDER BY seq")
        return [(action, kind, target, json.loads(detail)) for action, kind, target, detail in events]


def without_trail(tables: dict[str, list[tuple[object, ...]]]) -> dict[str, list[tuple[object, ...]]]:
    """Every table but the audit trail's, which each side has extended since (the backup, the restore)."""
    return {name: found for name, found in tables.items() if name not in ("audit_event", "audit_head")}


@pytest.mark.req("SEC-4")
def test_a_tampered_archive_is_refused_by_the_name_of_the_altered_file(
    source: dict[str, str], tmp_path: Path
) -> None:
    archive, tampered = tmp_path / "backup.zip", tmp_path / "tampered.zip"
    assert run("backup", str(archive), env=source).returncode == 0
    with zipfile.ZipFile(archive) as original, zipfile.ZipFile(tampered, "w") as copy:
        for info in original.infolist():  # rewritten whole, so every CRC is right and only our check can tell
            body = original.read(info)
            copy.writestr(info, b"%PDF-1.4 forged\n" if info.filename == f"data/{DOCUMENT}" else body)
    target = deployment(tmp_path / "restored")
    refused = run("restore", str(tampered), env=target)
    assert refused.returncode == 1
    assert "backup.checksum" in refused.stderr and f"data/{DOCUMENT}" in refused.stderr
    assert not database_of(target).exists() and not Path(target["XINYONG_DATA_DIR"]).exists()


@pytest.mark.req("SEC-4")
def test_restore_keeps_what_is_in_place_unless_forced_and_then_sets_it_aside(
    source: dict[str, str], tmp_path: Path
) -> None:
    archive = tmp_path / "backup.zip"
    assert run("backup", str(archive), env=source).returncode == 0
    assert run("backup", str(archive), env=source).returncode == 1  # never overwrites a file
    refused = run("restore", str(archive), env=source)
    assert refused.returncode == 1 and "restore.not_empty" in refused.stderr and "--force" in refused.stderr
    before = rows(database_of(source))
    database_of(source).with_suffix(".marker").write_text("x")
    forced = run("restore", str(archive), "--force", "--json", env=source)
    assert forced.returncode == 0, forced.stderr
    aside = [Path(p) for p in json.loads(forced.stdout)["set_aside"]]
    assert aside and all(p.exists() and ".before-restore-" in p.name for p in aside)
    assert without_trail(rows(database_of(source))) == without_trail(before)


@pytest.mark.req("SEC-4", "SEC-1")
def test_restore_reports_an_audit_chain_that_was_altered_before_the_backup(
    source: dict[str, str], tmp_path: Path
) -> None:
    with sqlite3.connect(database_of(source)) as conn:
        conn.execute("UPDATE audit_event SET target_id = 'zzz' WHERE target_id = 'scjgj'")
    archive = tmp_path / "backup.zip"
    assert run("backup", str(archive), env=source).returncode == 0
    restored = run("restore", str(archive), env=deployment(tmp_path / "restored"))
    assert (
        restored.returncode == 1
        and "audit.altered" in restored.stderr
        and "恢复后的审计日志" in restored.stderr
    )


@pytest.mark.req("SEC-4")
def test_the_backup_is_one_consistent_state_while_another_connection_writes(
    source: dict[str, str], tmp_path: Path
) -> None:
    """The server keeps running: an open write transaction neither blocks the backup nor leaks into it."""
    writer = sqlite3.connect(database_of(source))
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE organisation SET name = '未提交的名称' WHERE code = 'scjgj'")
        archive = tmp_path / "backup.zip"
        made = run("backup", str(archive), env=source)
        assert made.returncode == 0, made.stderr
        assert "未能记入审计日志" in made.stderr  # the writer outlasted the busy timeout: the archive stands
    finally:
        writer.rollback()
        writer.close()
    target = deployment(tmp_path / "restored")
    assert run("restore", str(archive), env=target).returncode == 0
    with sqlite3.connect(database_of(target)) as conn:
        name = conn.execute("SELECT name FROM organisation WHERE code = 'scjgj'").fetchone()[0]
    assert name == "市场监督管理局"


@pytest.mark.req("SEC-4")
@pytest.mark.parametrize("command", ["backup", "restore"])
def test_postgresql_is_refused_with_the_documented_procedure(command: str, tmp_path: Path) -> None:
    env = {"XINYONG_DATABASE_URL": "postgresql+psycopg://u@127.0.0.1:1/x", "XINYONG_DATA_DIR": str(tmp_path)}
    refused = run(command, str(tmp_path / "backup.zip"), env=env)
    assert refused.returncode == 1
    assert "backup.not_sqlite" in refused.stderr and "docs/backup.md" in refused.stderr


# ------------------------------------------------------------------------------------ PostgreSQL procedure
def _postgres_url() -> str | None:
    url = os.environ.get("XINYONG_TEST_DATABASE_URL", "")
    return (
        url
        if url.startswith("postgresql") and shutil.which("pg_dump") and shutil.which("pg_restore")
        else None
    )


@pytest.mark.req("SEC-4", "SEC-1")
@pytest.mark.skipif(
    _postgres_url() is None, reason="needs PostgreSQL (XINYONG_TEST_DATABASE_URL) and pg_dump"
)
def test_the_documented_pg_dump_and_pg_restore_round_trip(tmp_path: Path) -> None:
    """docs/backup.md: pg_dump -Fc, then pg_restore into an empty database, then ``xinyong audit verify``."""
    server = make_url(_postgres_url() or "")
    names = [f"xinyong_backup_{uuid4().hex[:8]}", f"xinyong_restore_{uuid4().hex[:8]}"]
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for name in names:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        original, copy = (server.set(database=n) for n in names)
        settings = Settings(
            database_url=original.render_as_string(hide_password=False), data_dir=tmp_path / "var"
        )
        engine = make_engine(settings.database_url)
        initialise(engine, settings)
        engine.dispose()
        env = {"XINYONG_DATABASE_URL": settings.database_url, "XINYONG_DATA_DIR": str(settings.data_dir)}
        assert (
            run("org", "add", "--code", "scjgj", "--name", "某局", "--kind", "provider", env=env).returncode
            == 0
        )
        libpq = {
            "PGHOST": server.host or "",
            "PGPORT": str(server.port or 5432),
            "PGUSER": server.username or "",
        }
        libpq["PGPASSWORD"] = server.password or ""
        dump = tmp_path / "xinyong.dump"
        subprocess.run(["pg_dump", "-Fc", "-f", str(dump), names[0]], check=True, env={**os.environ, **libpq})
        subprocess.run(
            ["pg_restore", "--no-owner", "--exit-on-error", "-d", names[1], str(dump)],
            check=True,
            env={**os.environ, **libpq},
        )
        restored = {**env, "XINYONG_DATABASE_URL": copy.render_as_string(hide_password=False)}
        verified = run("audit", "verify", "--json", env=restored)
        assert verified.returncode == 0 and json.loads(verified.stdout)["ok"], verified.stderr
        counts = []
        for url in (original, copy):
            probe = create_engine(url)
            with probe.connect() as conn:
                counts.append(
                    (
                        conn.execute(text("SELECT count(*), max(seq) FROM audit_event")).one(),
                        conn.execute(text("SELECT name FROM organisation WHERE code = 'scjgj'")).scalar(),
                    )
                )
            probe.dispose()
        assert counts[0] == counts[1] and counts[1][1] == "某局"
    finally:
        with admin.connect() as conn:
            for name in names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
