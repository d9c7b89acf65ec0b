"""``xinyong evaluate`` and ``xinyong inspect``: evaluation runs, their export, and inspection plans.

The commands of the ``evaluate`` and ``inspect`` groups that ``xinyong.cli`` declares (and imports this
module for); they use its helpers for settings, refusals and output.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn

from xinyong import cli
from xinyong.cli import AsOfOption, JsonOption
from xinyong.errors import XinyongError
from xinyong.profiles.loader import load_profile


@cli.evaluate_app.callback()
@cli.refusals
def evaluate(ctx: typer.Context, as_of: AsOfOption = None, as_json: JsonOption = False) -> None:
    """按施行的评价模型重新评价全部主体（逐批集合运算），保留每次评价；主体的现行等级为最近一次的结果。"""
    if ctx.invoked_subcommand is not None:
        return
    from xinyong.db.engine import session_factory
    from xinyong.evaluation import loading, service

    config = cli.settings_as_of(as_of)
    factory = session_factory(cli.initialised_engine(config))
    today = config.clock.today()
    data_dir = config.data_dir.resolve()
    model = loading.models(data_dir).in_force(today)
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,}/{task.total:,}"),
        console=cli.err,
        transient=as_json,
    ) as bar:
        task = bar.add_task(
            f"{today.isoformat()} 评价 {model.code} {model.version}", total=service.population(factory, model)
        )
        result = service.run(
            factory,
            data_dir=data_dir,
            profile=load_profile(config.profile, (config.data_dir / "profiles",)),
            as_of=today,
            actor=cli.operator(),
            clock_now=config.clock.now,
            progress=lambda count: bar.advance(task, count),
        )
    if as_json:
        cli.emit_json(result.as_dict())
        return
    grades = "，".join(f"{g} 级 {n} 个" for g, n in result.grades.items())
    cli.out.print(
        f"第 {result.run} 次评价（{result.model} {result.version}，评价日 {today.isoformat()}）："
        f"{result.subjects} 个主体；{grades}",
        highlight=False,
    )


@cli.evaluate_app.command("export")
@cli.refusals
def export(
    run: Annotated[int, typer.Option("--run", help="评价批次编号", min=1)],
    recipient: Annotated[
        str, typer.Option("--recipient", help="提供对象（金融机构、行业协会商会的名称），必填")
    ],
    output: Annotated[Path, typer.Option("--output", help="输出文件")],
    format: Annotated[str, typer.Option("--format", help="xlsx 或 csv")] = "xlsx",
) -> None:
    """导出一次评价的结果，提供给金融机构、行业协会商会参考；记入审计日志（EVA-3）。"""
    from xinyong.access.service import audit_actor
    from xinyong.evaluation import service

    config = cli.settings()
    with cli.admin_session(config) as (session, actor):
        content, _, _ = service.export(
            session,
            run_id=run,
            recipient=recipient,
            format=format,
            actor=audit_actor(actor),
            now=config.clock.now(),
        )
        output.write_bytes(content)
    cli.out.print(
        f"已导出第 {run} 次评价结果到 {output}（提供对象：{recipient}）", highlight=False, markup=False
    )


@cli.inspect_app.command("plan")
@cli.refusals
def plan(
    title: Annotated[str, typer.Option("--title", help="抽查计划名称")],
    seed: Annotated[str, typer.Option("--seed", help="随机种子：相同种子和相同输入抽出相同结果")],
    inspectors: Annotated[Path, typer.Option("--inspectors", help="检查人员名录文件，每行“执法证号 姓名”")],
    grade: Annotated[list[str] | None, typer.Option("--grade", help="只抽这些等级（可重复）")] = None,
    codes: Annotated[
        Path | None, typer.Option("--codes", help="抽查范围文件，每行一个代码；不给为全部已评价主体")
    ] = None,
    per_subject: Annotated[int, typer.Option("--per-subject", help="每个对象的检查人员数（至少 2）")] = 2,
    output: Annotated[Path | None, typer.Option("--output", help="把抽中名单写入 .csv 或 .xlsx 文件")] = None,
    as_of: AsOfOption = None,
    as_json: JsonOption = False,
) -> None:
    """按最近一次评价的等级抽取双随机抽查计划并保存（EVA-2）。"""
    from xinyong.access.service import audit_actor
    from xinyong.evaluation import inspection, service

    config = cli.settings_as_of(as_of)
    today = config.clock.today()
    wanted = inspection.request(
        title=title,
        seed=seed,
        inspectors=_lines(inspectors),
        per_subject=per_subject,
        grades=grade or [],
        codes=_lines(codes) if codes else [],
        today=today,
    )
    with cli.admin_session(config) as (session, actor):
        made = service.plan(
            session, request=wanted, today=today, actor=audit_actor(actor), now=config.clock.now()
        )
        picked = service.sample(session, made)
        if output is not None:
            output.write_bytes(service.sample_file(session, made, output.suffix.lstrip(".").lower())[0])
        document = {
            "plan": made.number,
            "run": made.run_id,
            "seed": made.seed,
            "population": made.population,
            "sample": picked,
        }
    if as_json:
        cli.emit_json(document)
        return
    cli.out.print(
        f"抽查计划 {made.number}：范围 {made.population} 个主体，抽中 {len(picked)} 个（种子 {made.seed}）",
        highlight=False,
    )
    for pick in picked[:20]:
        names = "、".join(i["name"] for i in pick["inspectors"])
        cli.out.print(
            f"  {pick['code']} {pick['name']} [{pick['grade']}] {names}", highlight=False, markup=False
        )


def _lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise XinyongError("inspection.file", f"无法读取 {path}：{exc}", field=str(path)) from exc
