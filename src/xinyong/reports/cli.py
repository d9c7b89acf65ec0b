"""``xinyong report KIND``: one statistics table of a period on the terminal, as JSON, or written to a CSV or
XLSX file (RPT-1, RPT-2, RPT-3, ING-8). ``xinyong.cli`` imports this module for it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.table import Table as RichTable

from xinyong import cli
from xinyong.cli import JsonOption
from xinyong.errors import XinyongError
from xinyong.rules.dates import parse_date


@cli.app.command("report")
@cli.refusals
def report_command(
    kind: Annotated[str, typer.Argument(help="providers、timeliness、silent、departments、rp 或 cases")],
    start: Annotated[str | None, typer.Option("--from", help="统计期间开始日期，默认本月1日")] = None,
    end: Annotated[str | None, typer.Option("--to", help="统计期间结束日期（含），默认今天")] = None,
    format: Annotated[Literal["csv", "xlsx"] | None, typer.Option(help="写入文件的格式")] = None,
    output: Annotated[Path | None, typer.Option(help="写入的文件（与 --format 一起使用）")] = None,
    as_json: JsonOption = False,
) -> None:
    """统计与考核：信息提供单位归集情况、按目录项更新周期的报送时效、未报送单位、使用单位使用情况、联合奖惩闭环、办理时限。"""
    # Here, not at the top: every ``xinyong`` command loads this module, few of them need the statistics.
    from xinyong.records import report
    from xinyong.reports import tables
    from xinyong.reports.service import Period

    if kind not in tables.KINDS:
        raise XinyongError(
            "report.kind", f"没有统计表 {kind[:40]!r}；可选：{'、'.join(tables.KINDS)}", field="kind"
        )
    if (format is None) != (output is None):
        raise XinyongError("report.output", "--format 和 --output 须同时给出", field="output")
    config = cli.settings()
    period = Period.of(
        parse_date(start, "--from") if start else None,
        parse_date(end, "--to") if end else None,
        today=config.clock.today(),
    )
    with cli.admin_session(config) as (session, _), cli.err.status("统计中…"):
        table = tables.build(session, kind=kind, settings=config, period=period)
    if format and output:
        content, _media = report.spreadsheet(table.headers, table.rows, format, table.title[:31])
        output.write_bytes(content)
    if as_json:
        cli.emit_json(
            {
                "from": period.start,
                "to": period.end,
                "title": table.title,
                "headers": table.headers,
                "rows": table.rows,
            }
        )
        return
    shown = RichTable(*table.headers, title=f"{table.title}（{period.start} 至 {period.end}）")
    for row in table.rows:
        shown.add_row(*(str(cell) for cell in row))
    cli.out.print(shown)
    if output:
        cli.out.print(f"已写入 {output}", highlight=False)
