"""``xinyong backup FILE`` and ``xinyong restore FILE`` (SEC-4); ``xinyong.cli`` imports this module."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from xinyong import cli
from xinyong.cli import JsonOption

if TYPE_CHECKING:
    from xinyong.db.backup import Progress as Advance


@contextmanager
def _bars() -> Iterator[Advance]:
    """One Rich bar per stage (database pages, files), on stderr so ``--json`` stays one document."""
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=cli.err, transient=True) as bar:
        tasks: dict[str, TaskID] = {}

        def advance(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield advance


@cli.app.command("backup")
@cli.refusals
def backup_command(
    file: Annotated[Path, typer.Argument(help="写入的备份文件（.zip），不覆盖已有文件")],
    as_json: JsonOption = False,
) -> None:
    """备份 SQLite 数据库（在线一致性复制，服务可继续运行）和数据目录，附带 SHA-256 清单。"""
    from xinyong.db import backup as backups  # here: every ``xinyong`` command loads this module

    config = cli.settings()
    with _bars() as progress:
        made = backups.backup(
            database_url=config.database_url,
            data_dir=config.data_dir,
            target=file,
            now=config.clock.now(),
            actor=cli.operator(),
            progress=progress,
        )
    manifest = made.manifest
    _unaudited(made.audited, "备份")
    if as_json:
        cli.emit_json({"file": str(file), **manifest.as_dict(), "audited": made.audited})
        return
    size = sum(entry.size for entry in manifest.files)
    cli.out.print(
        f"[green]已备份[/] {file}：数据库结构版本 {manifest.schema_revision}，"
        f"{len(manifest.files)} 个文件，共 {size:,} 字节",
        highlight=False,
    )


def _unaudited(audited: bool, what: str) -> None:
    """Say on stderr that the audit event is missing, so that ``--json`` stays one document."""
    if not audited:
        cli.err.print(
            f"[yellow]注意[/]：{what}已完成，但未能记入审计日志（数据库结构版本较旧，或数据库正被其他进程写入）",
            highlight=False,
        )


@cli.app.command("restore")
@cli.refusals
def restore_command(
    file: Annotated[Path, typer.Argument(help="xinyong backup 写出的备份文件")],
    force: Annotated[
        bool, typer.Option("--force", help="数据库或数据目录非空时也恢复；原有内容改名保留，不删除")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """核验备份的校验和，恢复数据库和数据目录，再核验审计日志的哈希链；链不完好时退出码 1。"""
    from xinyong.db import backup as backups
    from xinyong.db import migrate

    config = cli.settings()
    with _bars() as progress:
        done = backups.restore(
            archive_path=file,
            database_url=config.database_url,
            data_dir=config.data_dir,
            now=config.clock.now(),
            actor=cli.operator(),
            force=force,
            progress=progress,
        )
    audit = done.audit
    if audit.ok:
        _unaudited(done.audited, "恢复")
    if as_json:
        cli.emit_json(
            {
                "file": str(file),
                "created_at": done.manifest.created_at,
                "schema_revision": done.manifest.schema_revision,
                "files": len(done.manifest.files),
                "set_aside": [str(p) for p in done.set_aside],
                "audit": {"ok": audit.ok, "checked": audit.checked, "problem": audit.problem_code},
                "audited": done.audited,
            }
        )
    else:
        cli.out.print(
            f"[green]已恢复[/] {file}（{done.manifest.created_at} 备份，{len(done.manifest.files)} 个文件）",
            highlight=False,
        )
        for path in done.set_aside:
            cli.out.print(f"原有内容已改名保留：{path}", highlight=False)
        if audit.ok:
            cli.out.print(f"[green]审计日志完好[/]：共核验 {audit.checked} 条", highlight=False)
    if not audit.ok:
        cli.fail(audit.problem_code or "audit.broken", f"恢复后的审计日志不完好：{audit.message}")
    if done.manifest.schema_revision != migrate.head_revision():
        cli.err.print("备份的数据库结构版本较旧：请运行 xinyong init 升级", highlight=False)
