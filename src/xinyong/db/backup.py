"""Backup and restore of an SQLite deployment: the database and the data directory in one archive (SEC-4).

The archive is a ZIP file with ``manifest.json``: format version, creation time, schema revision and every
file's size and SHA-256. The database is copied with SQLite's online backup API, so the server keeps
running and the copy is one consistent state. The data directory (secret key, audit anchors, stored
documents and evidence, exchange packages, local profiles and catalogs) is copied after the database, so
every file the copied database refers to is already there.

PostgreSQL is refused with a pointer to docs/backup.md: pg_dump and pg_restore must match the server's
version and take the administrator's own credentials and options, which a wrapper here would only hide.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
import zipfile
from collections.abc import Callable
from contextlib import closing
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import IO, Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from xinyong import __version__
from xinyong.audit import service as audit
from xinyong.audit.anchors import ANCHOR_FILE, check_anchors, read_anchors
from xinyong.audit.service import AuditActor, VerifyResult, verify
from xinyong.db import migrate
from xinyong.db.engine import make_engine, session_factory
from xinyong.errors import XinyongError

FORMAT = "xinyong-backup"
VERSION = 1
MANIFEST = "manifest.json"
DATABASE = "database.sqlite3"
DATA = "data/"
CHUNK = 1 << 20
PAGES_PER_STEP = 4096
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")

# (stage, done, total): the CLI draws it as a Rich progress bar.
Progress = Callable[[str, int, int], None]


def _quiet(stage: str, done: int, total: int) -> None:
    """No progress display."""


@dataclass(frozen=True)
class Entry:
    path: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    created_at: str
    schema_revision: str | None
    xinyong: str
    files: list[Entry]
    version: int = VERSION
    format: str = FORMAT

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Made:
    manifest: Manifest
    audited: bool  # the event is in the audit trail (see _audit for when it cannot be)


@dataclass(frozen=True)
class Restored:
    manifest: Manifest
    audit: VerifyResult
    set_aside: list[Path]  # what was in the way (with --force), kept under a new name
    audited: bool


def sqlite_file(database_url: str) -> Path:
    """The database file, or a refusal naming the documented procedure for other databases."""
    parsed = make_url(database_url)
    if parsed.get_backend_name() != "sqlite":
        raise XinyongError(
            "backup.not_sqlite",
            "xinyong backup/restore 只用于 SQLite 数据库；PostgreSQL 请用 pg_dump -Fc 备份数据库"
            "并复制数据目录，用 pg_restore 恢复，步骤见 docs/backup.md",
            field="XINYONG_DATABASE_URL",
        )
    if not parsed.database or parsed.database == ":memory:":
        raise XinyongError("backup.no_file", "内存数据库没有可备份的文件", field="XINYONG_DATABASE_URL")
    return Path(parsed.database)


def _side_files(database: Path) -> list[Path]:
    return [database, *(database.with_name(database.name + suffix) for suffix in SQLITE_SIDE_FILES)]


def _copy_stream(source: IO[bytes], target: IO[bytes]) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    while chunk := source.read(CHUNK):
        digest.update(chunk)
        target.write(chunk)
        size += len(chunk)
    return size, digest.hexdigest()


# ------------------------------------------------------------------------------------------------- backup
def backup(
    *,
    database_url: str,
    data_dir: Path,
    target: Path,
    now: datetime,
    actor: AuditActor,
    progress: Progress = _quiet,
) -> Made:
    """The archive, then an audit event ``backup.create`` in the live database: a copy of every record and
    the secret key left the server, and who took it is on the trail."""
    database = sqlite_file(database_url)
    if not database.is_file():
        raise XinyongError(
            "backup.no_database", f"数据库文件 {database} 不存在", field="XINYONG_DATABASE_URL"
        )
    if target.exists():
        raise XinyongError("backup.target_exists", f"{target} 已存在：备份不覆盖已有文件", field="FILE")
    target.parent.mkdir(parents=True, exist_ok=True)
    skip = {p.resolve() for p in _side_files(database)} | {target.resolve()}
    with tempfile.TemporaryDirectory(prefix=".xinyong-backup-", dir=target.parent) as scratch:
        copy = Path(scratch) / DATABASE
        _copy_database(database, copy, progress)
        files = [p for p in _data_files(data_dir) if p.resolve() not in skip]
        partial = Path(scratch) / "archive.zip"
        partial.touch(mode=0o600)  # it carries the secret key and personal data: for its owner only
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
            entries = [_store(archive, copy, DATABASE)]
            for done, path in enumerate(files, start=1):
                entries.append(_store(archive, path, DATA + path.relative_to(data_dir).as_posix()))
                progress("数据目录", done, len(files))
            manifest = Manifest(now.isoformat(), _revision(copy), __version__, entries)
            archive.writestr(MANIFEST, json.dumps(manifest.as_dict(), ensure_ascii=False, indent=2))
        os.replace(partial, target)  # only a complete archive ever carries the name asked for
    audited = _audit(
        database_url,
        database,
        at=now,
        actor=actor,
        action="backup.create",
        target=target.name,
        manifest=manifest,
        bytes=sum(entry.size for entry in manifest.files),
    )
    return Made(manifest, audited)


def _copy_database(source: Path, copy: Path, progress: Progress) -> None:
    """SQLite's online backup: a consistent copy while other connections go on reading and writing."""

    def step(_status: int, remaining: int, total: int) -> None:
        progress("数据库", total - remaining, total)

    with closing(sqlite3.connect(source)) as live, closing(sqlite3.connect(copy)) as kept:
        live.backup(kept, pages=PAGES_PER_STEP, progress=step)


def _revision(database: Path) -> str | None:
    with closing(sqlite3.connect(database)) as conn:
        try:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.Error:
            return None
    return str(row[0]) if row else None


def _data_files(data_dir: Path) -> list[Path]:
    if not data_dir.is_dir():
        return []
    return sorted(p for p in data_dir.rglob("*") if p.is_file() and not p.is_symlink())


def _store(archive: zipfile.ZipFile, path: Path, name: str) -> Entry:
    info = zipfile.ZipInfo.from_file(path, name)
    info.compress_type = zipfile.ZIP_DEFLATED
    with path.open("rb") as source, archive.open(info, "w", force_zip64=True) as target:
        size, digest = _copy_stream(source, target)
    return Entry(name, size, digest)


# ------------------------------------------------------------------------------------------------ restore
def verify_archive(path: Path, progress: Progress = _quiet) -> Manifest:
    """The archive's manifest once every file in it matches its size and SHA-256; refused otherwise,
    naming the first file that does not."""
    with _open(path) as archive:
        manifest = _manifest(archive)
        names = set(archive.namelist()) - {MANIFEST}
        listed = {entry.path for entry in manifest.files}
        for name in sorted(listed - names):
            raise XinyongError("backup.missing", f"清单列出的文件 {name} 不在备份中", field=name)
        for name in sorted(names - listed):
            raise XinyongError("backup.unlisted", f"备份中的文件 {name} 不在清单中", field=name)
        for done, entry in enumerate(manifest.files, start=1):
            if _digest(archive, entry.path) != (entry.size, entry.sha256):
                raise XinyongError(
                    "backup.checksum",
                    f"文件 {entry.path} 的 SHA-256 与清单不符：备份已损坏或被改动，未恢复任何内容",
                    field=entry.path,
                )
            progress("核验校验和", done, len(manifest.files))
    return manifest


def _open(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except FileNotFoundError as exc:
        raise XinyongError("backup.not_found", f"备份文件 {path} 不存在", field="FILE") from exc
    except (zipfile.BadZipFile, OSError) as exc:
        raise XinyongError(
            "backup.not_archive", f"{path} 不是 xinyong 备份文件（{exc}）", field="FILE"
        ) from exc


def _manifest(archive: zipfile.ZipFile) -> Manifest:
    try:
        raw = json.loads(archive.read(MANIFEST))
        files = [Entry(str(f["path"]), int(f["size"]), str(f["sha256"])) for f in raw["files"]]
        manifest = Manifest(
            str(raw["created_at"]),
            raw["schema_revision"],
            str(raw["xinyong"]),
            files,
            int(raw["version"]),
            str(raw["format"]),
        )
    except (KeyError, TypeError, ValueError, zipfile.BadZipFile) as exc:
        raise XinyongError(
            "backup.manifest", f"备份清单 {MANIFEST} 缺失或无法读取（{exc}）", field=MANIFEST
        ) from exc
    if manifest.format != FORMAT or manifest.version > VERSION:
        raise XinyongError(
            "backup.version",
            f"备份格式 {manifest.format} 第 {manifest.version} 版："
            f"本程序只能恢复 {FORMAT} 第 {VERSION} 版及以前",
            field=MANIFEST,
        )
    for entry in manifest.files:
        parts = PurePosixPath(entry.path).parts
        inside = entry.path == DATABASE or (entry.path.startswith(DATA) and len(parts) > 1)
        if not inside or ".." in parts or PurePosixPath(entry.path).is_absolute():
            raise XinyongError(
                "backup.unsafe_path", f"备份清单中的路径 {entry.path} 不允许", field=entry.path
            )
    if DATABASE not in {entry.path for entry in manifest.files}:
        raise XinyongError("backup.missing", f"备份中没有数据库文件 {DATABASE}", field=DATABASE)
    return manifest


def _digest(archive: zipfile.ZipFile, name: str) -> tuple[int, str]:
    try:
        with archive.open(name) as member:
            digest, size = hashlib.sha256(), 0
            while chunk := member.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
    except (zipfile.BadZipFile, OSError):  # a damaged member fails its CRC check before we see it all
        return -1, ""
    return size, digest.hexdigest()


def restore(
    *,
    archive_path: Path,
    database_url: str,
    data_dir: Path,
    now: datetime,
    actor: AuditActor,
    force: bool = False,
    progress: Progress = _quiet,
) -> Restored:
    """Verify the archive, put its database and data directory in place, then verify the audit chain and
    append ``backup.restore`` to it: whatever happened between the backup and now is gone from the trail,
    and the trail says so.

    Refused when the database or the data directory holds anything, unless ``force``: then what was there is
    moved aside under a ``.before-restore-<time>`` name, never deleted."""
    database = sqlite_file(database_url)
    manifest = verify_archive(archive_path, progress)
    head = migrate.head_revision()
    if manifest.schema_revision and head and manifest.schema_revision > head:
        raise XinyongError(
            "backup.newer_schema",
            f"备份的数据库结构版本 {manifest.schema_revision} 新于本程序的 {head}：请先升级 xinyong",
            field=MANIFEST,
        )
    in_the_way = _occupied(database, data_dir)
    if in_the_way and not force:
        raise XinyongError(
            "restore.not_empty",
            f"{in_the_way} 不是空的：恢复不会覆盖已有数据；确需替换时加 --force（原有内容将改名保留）",
            field=str(in_the_way),
        )
    stamp = now.strftime("%Y%m%d%H%M%S")
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    database.parent.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix=".xinyong-restore-", dir=data_dir.parent) as scratch,
        _open(archive_path) as archive,
    ):
        fresh_data, fresh_db = Path(scratch) / "data", Path(scratch) / DATABASE
        fresh_data.mkdir()
        for done, entry in enumerate(manifest.files, start=1):
            place = fresh_db if entry.path == DATABASE else fresh_data / entry.path.removeprefix(DATA)
            place.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(entry.path) as source, open(place, "wb", opener=_private) as target:
                _copy_stream(source, target)
            progress("恢复文件", done, len(manifest.files))
        in_place = [p for p in [data_dir, *_side_files(database)] if p.exists()]
        set_aside = [kept for p in in_place if (kept := _set_aside(p, stamp)) is not None]
        shutil.move(fresh_data, data_dir)
        shutil.move(fresh_db, database)  # the database may live inside the data directory: after it
    verified = _verify_audit(database_url, data_dir)
    audited = verified.ok and _audit(  # a broken chain is reported as it was restored, not extended
        database_url,
        database,
        at=now,
        actor=actor,
        action="backup.restore",
        target=archive_path.name,
        manifest=manifest,
        set_aside=[str(p) for p in set_aside],
    )
    return Restored(manifest, verified, set_aside, audited)


def _private(path: str, flags: int) -> int:
    """Restored files are readable by their owner only, as the secret key was written."""
    return os.open(path, flags, 0o600)


def _occupied(database: Path, data_dir: Path) -> Path | None:
    """The database or data directory that already holds something, if either does."""
    if database.is_file() and database.stat().st_size > 0:
        try:
            with closing(sqlite3.connect(database)) as conn:
                tables = conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
        except sqlite3.Error:
            tables = 1  # not a database we can read: not ours to overwrite either
        if tables:
            return database
    own = {p.resolve() for p in _side_files(database)}
    if data_dir.is_dir() and any(p.resolve() not in own for p in data_dir.iterdir()):
        return data_dir
    return None


def _set_aside(path: Path, stamp: str) -> Path | None:
    """Move ``path`` out of the way under a new name; an empty folder is simply removed."""
    if path.is_dir() and not any(path.iterdir()):
        path.rmdir()
        return None
    kept = path.with_name(f"{path.name}.before-restore-{stamp}")
    shutil.move(path, kept)
    return kept


def _audit(
    database_url: str,
    database: Path,
    *,
    at: datetime,
    actor: AuditActor,
    action: str,
    target: str,
    manifest: Manifest,
    **detail: Any,
) -> bool:
    """One event about the archive ``target`` in the deployment's audit chain, with the manifest's facts and
    ``detail``; whether it was written. Not into a database of an older release, whose tables are not this
    release's until ``xinyong init`` migrates it, nor while another writer keeps the database locked past
    the busy timeout: the archive or the restore stands, and the command says the event is missing."""
    if _revision(database) != migrate.head_revision():
        return False
    engine = make_engine(database_url)
    try:
        with session_factory(engine).begin() as session:
            audit.record(
                session,
                at=at,
                actor=actor,
                action=action,
                target_type="backup",
                target_id=target,
                detail={
                    "created_at": manifest.created_at,
                    "schema_revision": manifest.schema_revision,
                    "files": len(manifest.files),
                    **detail,
                },
            )
    except OperationalError:
        return False
    finally:
        engine.dispose()
    return True


def _verify_audit(database_url: str, data_dir: Path) -> VerifyResult:
    """The restored audit chain, and the anchors restored beside it: both must still hold."""
    engine = make_engine(database_url)
    try:
        with session_factory(engine)() as session:
            result = verify(session)
            if not result.ok:
                return result
            return check_anchors(session, read_anchors(data_dir / ANCHOR_FILE), result.checked) or result
    finally:
        engine.dispose()
