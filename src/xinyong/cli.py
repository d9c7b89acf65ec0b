"""The ``xinyong`` command line.

Every command exits 0 on success and 1 on refused input, with the reason (Chinese, plus its code) on
stderr; ``--json`` prints exactly one JSON document on stdout.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, ParamSpec, TypeVar, cast

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn
from rich.table import Table
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from xinyong import __version__
from xinyong.access.actors import Actor
from xinyong.errors import XinyongError, explain
from xinyong.profiles.describe import describe
from xinyong.profiles.loader import load_profile
from xinyong.rules import identifiers
from xinyong.rules.calendar import WorkingCalendar
from xinyong.rules.dates import parse_date, parse_int
from xinyong.rules.identifiers import SEX_LABELS
from xinyong.settings import Settings
from xinyong.subjects.schemas import IdentifierOut

if TYPE_CHECKING:
    from xinyong.audit.service import AuditActor
    from xinyong.profiles.schema import Severity

app = typer.Typer(help="xinyong 公共信用信息平台", no_args_is_help=True, add_completion=False)
id_app = typer.Typer(help="统一社会信用代码与身份证件号码", no_args_is_help=True)
calendar_app = typer.Typer(help="工作日历（法定节假日与调休）", no_args_is_help=True)
profile_app = typer.Typer(help="辖区配置", no_args_is_help=True)
app.add_typer(id_app, name="id")
app.add_typer(calendar_app, name="calendar")
app.add_typer(profile_app, name="profile")
org_app = typer.Typer(help="机构管理", no_args_is_help=True)
user_app = typer.Typer(help="账号管理", no_args_is_help=True)
token_app = typer.Typer(help="访问令牌（供部门业务系统调用接口）", no_args_is_help=True)
audit_app = typer.Typer(help="审计日志", no_args_is_help=True)
app.add_typer(org_app, name="org")
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")
app.add_typer(audit_app, name="audit")

out = Console()
err = Console(stderr=True, soft_wrap=True)

P = ParamSpec("P")
R = TypeVar("R")

JsonOption = Annotated[bool, typer.Option("--json", help="输出一个 JSON 文档")]
AsOfOption = Annotated[str | None, typer.Option("--as-of", help="按指定日期计算（YYYY-MM-DD）")]


def fail(code: str, message: str) -> NoReturn:
    err.print(f"[bold red]错误[/] {escape(f'[{code}]')} {escape(message)}", highlight=False)
    raise typer.Exit(1)


def refusals(func: Callable[P, R]) -> Callable[P, R]:
    """Turn refused input into a message and exit code 1 instead of a traceback."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except XinyongError as exc:
            if kwargs.get("as_json"):  # a program reading --json output gets the refusal as JSON too
                emit_json({"error": exc.problem.as_dict()})
            fail(exc.code, exc.message)
        except SQLAlchemyError as exc:
            fail("database.error", f"数据库操作失败：{getattr(exc, 'orig', None) or exc}")

    return wrapper


def settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        key = "XINYONG_" + "_".join(str(p) for p in first["loc"]).upper()
        raise XinyongError(
            "settings.invalid", f"环境变量 {key} 的值“{first['input']}”无效：{explain(first)}", field=key
        ) from exc


def settings_as_of(as_of: str | None) -> Settings:
    base = settings()
    if as_of is None:
        return base
    return base.model_copy(update={"fixed_date": parse_date(as_of, "--as-of")})


def emit_json(document: Any) -> None:
    sys.stdout.write(json.dumps(document, ensure_ascii=False, default=str) + "\n")


@app.callback(invoke_without_command=True)
def main_options(
    version: Annotated[bool, typer.Option("--version", help="显示版本")] = False,
) -> None:
    if version:
        out.print(f"xinyong {__version__}")
        raise typer.Exit(0)


@app.command()
@refusals
def init(as_of: AsOfOption = None) -> None:
    """迁移数据库到最新版本并载入参考数据（可重复执行）。"""
    from xinyong.db.bootstrap import initialise
    from xinyong.db.engine import display_url, make_engine

    config = settings_as_of(as_of)
    where = display_url(config.database_url)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), console=err, transient=True) as bar:
        bar.add_task(f"初始化数据库 {where}", total=None)
        report = initialise(make_engine(config.database_url), config)
    for result in report.datasets:
        state = "已载入" if result.changed else "未变化"
        out.print(f"参考数据 {result.name}：{result.entries} 项，{state}")
    if report.operator_created:
        out.print(f"已创建平台运营机构（机构代码 operator）：{config.operator_name}")
    out.print(f"[green]完成[/]：数据库 {where}，辖区配置 {config.profile}")
    if report.admins == 0:
        out.print(
            "尚无平台管理员。请设置首个管理员（将提示输入密码，平台不设默认密码）：\n"
            "  xinyong user add --org operator --username admin --name 管理员 --role operator_admin",
            highlight=False,
            soft_wrap=True,
        )


@app.command()
@refusals
def serve(
    host: Annotated[str, typer.Option(help="监听地址")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="端口", min=1, max=65535)] = 8000,
    workers: Annotated[int, typer.Option(help="工作进程数（一般取 CPU 核数）", min=1, max=64)] = 1,
) -> None:
    """启动门户网站与 API。"""
    _serve(settings(), host, port, workers)


def _serve(config: Settings, host: str, port: int, workers: int = 1) -> None:
    import uvicorn

    from xinyong.db.bootstrap import outdated
    from xinyong.db.engine import display_url, make_engine

    stale = outdated(make_engine(config.database_url), config)
    if stale:
        fail(
            "database.not_initialised",
            f"数据库 {display_url(config.database_url)} 尚未按当前配置初始化（{'、'.join(stale)}），"
            "请先运行 xinyong init",
        )
    if config.fixed_date:
        err.print(f"[yellow]演示模式：系统日期固定为 {config.fixed_date}[/]")
    out.print(f"门户网站 http://{host}:{port}/  ·  接口文档 http://{host}:{port}/api/docs")
    # Each worker process builds its own app from the same environment.
    uvicorn.run(
        "xinyong.web.app:serving_app",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        log_level="info",
    )


@app.command()
@refusals
def demo(
    subjects: Annotated[int, typer.Option(help="生成的信用主体数", min=1, max=10_000_000)] = 2000,
    seed: Annotated[int, typer.Option(help="随机种子：相同种子生成相同数据")] = 20261123,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="只生成数据，不启动网站")] = False,
    host: Annotated[str, typer.Option(help="监听地址")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="端口", min=1, max=65535)] = 8000,
) -> None:
    """初始化数据库，生成合成演示数据（非真实信息），然后启动网站。"""
    import secrets as random_secrets

    from rich.progress import BarColumn, MofNCompleteColumn, TimeElapsedColumn

    from xinyong import demo as demo_data
    from xinyong.access import service as access_service
    from xinyong.access.policy import policy
    from xinyong.db.bootstrap import initialise
    from xinyong.db.engine import make_engine

    config = settings()
    report = initialise(make_engine(config.database_url), config)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err) as bar:
        tasks: dict[str, Any] = {}

        def advance(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        made = demo_data.generate(config, subjects=subjects, seed=seed, progress=advance)
    out.print(f"演示数据：{made.subjects} 个信用主体，入库 {made.accepted} 条记录（种子 {seed}）")
    if report.admins == 0:
        password = random_secrets.token_urlsafe(12)
        with admin_session(config) as (session, actor):
            access_service.create_account(
                session,
                by=actor,
                policy=policy(),
                now=config.clock.now(),
                org_code="operator",
                username="admin",
                display_name="演示管理员",
                roles=["operator_admin"],
                password=password,
            )
        out.print(f"演示管理员账号：admin，密码：{password}（随机生成，只显示这一次）", highlight=False)
    if not no_serve:
        _serve(config, host, port)


@id_app.command("check")
@refusals
def id_check(
    code: Annotated[str, typer.Argument(help="统一社会信用代码或身份证件号码")],
    kind: Annotated[str | None, typer.Option(help="证件类型，不填则自动识别")] = None,
    as_of: AsOfOption = None,
    as_json: JsonOption = False,
) -> None:
    """校验代码；有效退出码 0，无效退出码 1。"""
    today = settings_as_of(as_of).clock.today()
    try:
        identifier = identifiers.validate(code, kind, today=today)
    except XinyongError as exc:
        if as_json:
            emit_json({"valid": False, "error": exc.problem.as_dict()})
        fail(exc.code, exc.message)
    if as_json:
        emit_json(IdentifierOut.of(identifier).model_dump(mode="json"))
        return
    out.print(f"[green]有效[/] {identifier.label} {identifier.value}")
    if identifier.birth_date:
        sex = SEX_LABELS[identifier.sex] if identifier.sex else ""
        out.print(f"出生日期 {identifier.birth_date}  性别 {sex}  地区代码 {identifier.region}")


def _calendar() -> WorkingCalendar:
    from xinyong.workdays import working_calendar

    return working_calendar(settings().data_dir.resolve())


@calendar_app.command("add-working-days", context_settings={"ignore_unknown_options": True})
@refusals
def add_working_days(
    start: Annotated[str, typer.Argument(help="起算日 YYYY-MM-DD（当日不计入）")],
    days: Annotated[str, typer.Argument(help="工作日数")],
    as_json: JsonOption = False,
) -> None:
    """打印起算日后第 N 个工作日（ISO 日期）。"""
    from xinyong.workdays import warn_unknown_years

    first, count = parse_date(start, "起算日"), parse_int(days, "工作日数")
    result = _calendar().add_working_days(first, count)
    warn_unknown_years(result.estimated_years)
    if result.estimated:
        years = "、".join(str(y) for y in result.estimated_years)
        err.print(f"[yellow]注意：{years} 年节假日安排未收录，仅按周末计算，结果为估算[/]")
    if as_json:
        emit_json(
            {
                "start": first,
                "days": count,
                "date": result.value,
                "estimated": result.estimated,
                "estimated_years": list(result.estimated_years),
            }
        )
    else:
        out.print(str(result.value), highlight=False)


@calendar_app.command("is-working-day")
@refusals
def is_working_day(
    day: Annotated[str, typer.Argument(help="日期 YYYY-MM-DD")],
    as_json: JsonOption = False,
) -> None:
    """说明某日是否为工作日及原因。"""
    from xinyong.workdays import warn_unknown_years

    info = _calendar().day(parse_date(day, "日期"))
    warn_unknown_years([info.day.year] if info.estimated else [])
    if as_json:
        emit_json(
            {"date": info.day, "working": info.working, "reason": info.reason, "estimated": info.estimated}
        )
    else:
        out.print(f"{info.day} {'是' if info.working else '不是'}工作日：{info.reason}", highlight=False)


@profile_app.command("show")
@refusals
def profile_show(
    name: Annotated[
        str | None, typer.Argument(help="配置名称或 TOML 文件路径；默认为 XINYONG_PROFILE")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """打印解析后的辖区配置，每项注明出处。"""
    config = settings()
    profile = load_profile(config.profile if name is None else name, (config.data_dir / "profiles",))
    if as_json:
        emit_json(profile.model_dump(mode="json"))
        return
    title = f"{profile.title}（{profile.name}" + (f"，继承 {profile.extends}）" if profile.extends else "）")
    table = Table(title=title, show_lines=False, expand=True)
    for column in ("类别", "设置", "规定", "出处"):
        table.add_column(column, overflow="fold")
    for row in describe(profile):
        basis = row.basis + (" [yellow]〔运营方设定〕[/]" if row.chosen else "")
        table.add_row(row.section, f"{row.label}\n[dim]{row.key}[/]", row.value, basis)
    out.print(table)


def main() -> None:
    """Entry point: a usage error (Click's exit code 2) exits 1 like any other refused input."""
    try:
        app()
    except SystemExit as exc:
        sys.exit(1 if exc.code == 2 else exc.code)


# ----------------------------------------------------------------------------------- administration


def initialised_engine(config: Settings) -> Engine:
    """The database engine, once the database is known to be migrated (refused otherwise)."""
    from xinyong.db.bootstrap import outdated
    from xinyong.db.engine import display_url, make_engine

    engine = make_engine(config.database_url)
    if "schema" in outdated(engine, config):
        fail(
            "database.not_initialised",
            f"数据库 {display_url(config.database_url)} 未初始化，请先运行 xinyong init",
        )
    return engine


@contextmanager
def admin_session(config: Settings) -> Iterator[tuple[Session, Actor]]:
    """A transaction on an initialised database, acting as the machine's administrator."""
    from xinyong.access.actors import system_actor
    from xinyong.access.policy import policy
    from xinyong.db.engine import session_factory, transaction

    with transaction(session_factory(initialised_engine(config))) as session:
        yield session, system_actor(policy())


def operator() -> AuditActor:
    """Whoever runs a command on the machine, as the audit trail names the system's own work."""
    from xinyong.access.actors import system_actor
    from xinyong.access.policy import policy
    from xinyong.access.service import audit_actor

    return audit_actor(system_actor(policy()))


def read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = typer.prompt("密码", hide_input=True)
    if typer.prompt("再次输入密码", hide_input=True) != first:
        raise XinyongError("account.password_mismatch", "两次输入的密码不一致", field="password")
    return str(first)


@org_app.command("add")
@refusals
def org_add(
    code: Annotated[str, typer.Option(help="机构代码（小写字母、数字、-、_），如 scjgj")],
    name: Annotated[str, typer.Option(help="机构名称")],
    kind: Annotated[
        str, typer.Option(help="provider、determining、user、agency、court、platform、collector")
    ],
    uscc: Annotated[str | None, typer.Option(help="统一社会信用代码")] = None,
    as_json: JsonOption = False,
) -> None:
    """登记一个机构。"""
    from xinyong.access import service

    config = settings()
    with admin_session(config) as (session, actor):
        org = service.create_org(
            session, by=actor, now=config.clock.now(), code=code, name=name, kind=kind, uscc=uscc
        )
        result = {"code": org.code, "name": org.name, "kind": org.kind, "uscc": org.uscc}
    if as_json:
        emit_json(result)
    else:
        out.print(f"[green]已登记[/] {org.name}（{org.code}，{org.kind}）")


@org_app.command("list")
@refusals
def org_list(as_json: JsonOption = False) -> None:
    """列出机构。"""
    from xinyong.access import service

    with admin_session(settings()) as (session, _):
        rows = [
            {"code": o.code, "name": o.name, "kind": o.kind, "uscc": o.uscc, "active": o.active}
            for o in service.list_orgs(session)
        ]
    if as_json:
        emit_json(rows)
        return
    table = Table("代码", "名称", "类型", "统一社会信用代码")
    for row in rows:
        table.add_row(str(row["code"]), str(row["name"]), str(row["kind"]), str(row["uscc"] or ""))
    out.print(table)


@user_app.command("add")
@refusals
def user_add(
    org: Annotated[str, typer.Option(help="所属机构代码")],
    username: Annotated[str, typer.Option(help="用户名")],
    role: Annotated[
        list[str], typer.Option(help="角色，可重复，如 operator_admin、provider、user_department")
    ],
    name: Annotated[str, typer.Option(help="姓名或系统名称")] = "",
    client: Annotated[bool, typer.Option("--client", help="系统账号：只用访问令牌，不设密码")] = False,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="从标准输入读取密码")] = False,
) -> None:
    """创建账号；个人账号提示输入密码（至少 10 个字符）。"""
    from xinyong.access import service
    from xinyong.access.policy import policy

    config = settings()
    password = None if client else read_password(password_stdin)
    with admin_session(config) as (session, actor):
        account = service.create_account(
            session,
            by=actor,
            policy=policy(),
            now=config.clock.now(),
            org_code=org,
            username=username,
            display_name=name,
            roles=role,
            client=client,
            password=password,
        )
        roles = "、".join(r.role for r in account.roles)
    out.print(f"[green]已创建账号[/] {username}（{org}，角色：{roles}）")


@user_app.command("passwd")
@refusals
def user_passwd(
    username: Annotated[str, typer.Argument(help="用户名")],
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="从标准输入读取密码")] = False,
) -> None:
    """重设个人账号的密码（该账号的所有登录会话随之失效）。"""
    from xinyong.access import service

    config = settings()
    password = read_password(password_stdin)
    with admin_session(config) as (session, actor):
        service.set_password(session, by=actor, now=config.clock.now(), username=username, password=password)
    out.print(f"[green]已重设[/] {username} 的密码")


@token_app.command("create")
@refusals
def token_create(
    user: Annotated[str, typer.Option(help="令牌所属账号的用户名")],
    name: Annotated[str, typer.Option(help="用途，如对接的业务系统名称")],
    expires: Annotated[str, typer.Option(help="到期日 YYYY-MM-DD（最长一年）")],
    as_json: JsonOption = False,
) -> None:
    """创建访问令牌；令牌只显示这一次。"""
    from datetime import datetime, time

    from xinyong.access import service
    from xinyong.access.security import secret_key
    from xinyong.clock import CHINA_TZ

    config = settings()
    until = datetime.combine(parse_date(expires, "--expires"), time.max, tzinfo=CHINA_TZ)
    with admin_session(config) as (session, actor):
        issued = service.create_token(
            session,
            by=actor,
            key=secret_key(config.data_dir),
            now=config.clock.now(),
            username=user,
            name=name,
            expires_at=until,
        )
        token_id = issued.token.id
    if as_json:
        emit_json({"id": token_id, "token": issued.value, "expires_at": until.isoformat()})
        return
    out.print(f"[green]已创建令牌[/] 编号 {token_id}，到期 {until.date()}。请立即保存，此后不再显示：")
    out.print(issued.value, highlight=False, soft_wrap=True)


@token_app.command("revoke")
@refusals
def token_revoke(token_id: Annotated[int, typer.Argument(help="令牌编号")]) -> None:
    """吊销令牌，立即生效。"""
    from xinyong.access import service

    config = settings()
    with admin_session(config) as (session, actor):
        service.revoke_token(session, by=actor, now=config.clock.now(), token_id=token_id)
    out.print(f"[green]已吊销[/] 令牌 {token_id}")


@audit_app.command("verify")
@refusals
def audit_verify(as_json: JsonOption = False) -> None:
    """逐条核验审计日志的哈希链；完好退出码 0，发现改动、插入或删除退出码 1。"""
    from xinyong.audit.anchors import ANCHOR_FILE, verify_and_anchor

    config = settings()
    with admin_session(config) as (session, _):
        result = verify_and_anchor(session, config.data_dir, config.clock.now())
    if as_json:
        emit_json(
            {
                "ok": result.ok,
                "checked": result.checked,
                "first_bad_seq": result.first_bad_seq,
                "problem": result.problem_code,
                "message": result.message,
                "head_seq": result.head_seq,
                "head_hash": result.head_hash,
            }
        )
    if not result.ok:
        fail(result.problem_code or "audit.broken", result.message)
    if not as_json:
        out.print(f"[green]审计日志完好[/]：共核验 {result.checked} 条")
        out.print(
            f"链头 seq {result.head_seq}  {result.head_hash}（已记入 {config.data_dir / ANCHOR_FILE}）",
            highlight=False,
        )


@app.command("import")
@refusals
def import_file(
    file: Annotated[Path, typer.Argument(help="CSV（UTF-8 或 GB18030）或 XLSX 文件")],
    item: Annotated[str, typer.Option(help="目录项代码，如 admin-penalty")],
    provider: Annotated[str, typer.Option(help="信息提供单位的机构代码")],
    severity: Annotated[str | None, typer.Option(help="失信程度默认值：minor、general、serious")] = None,
    as_json: JsonOption = False,
) -> None:
    """导入部门报送的文件；逐行校验，合格的入库，不合格的记录行号、字段和原因。"""
    from xinyong import sweep
    from xinyong.db.engine import session_factory
    from xinyong.lists.service import list_types
    from xinyong.records import ingest

    if severity not in (None, "minor", "general", "serious"):
        fail("record.severity_invalid", "--severity 应为 minor、general 或 serious")
    config = settings()
    factory = session_factory(initialised_engine(config))  # the import writes in batches of its own
    delivery = ingest.Delivery(
        provider=provider,
        item_code=item,
        route="file",
        actor=operator(),
        filename=file.name,
        default_severity=cast("Severity | None", severity),
    )
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), console=err, transient=not as_json
    ) as bar:
        task = bar.add_task(f"导入 {file.name}：已处理 0 行", total=None)
        done = 0

        def advance(count: int) -> None:
            nonlocal done
            done += count
            bar.update(task, description=f"导入 {file.name}：已处理 {done:,} 行")

        summary = ingest.import_file(
            factory,
            path=file,
            delivery=delivery,
            profile=load_profile(config.profile, (config.data_dir / "profiles",)),
            clock=config.clock,
            progress=advance,
        )
        received = None
        if list_types(config.data_dir.resolve()).from_item(item):
            bar.update(task, description=f"{file.name}：更新名单")
            received = sweep.receive_lists(
                factory,
                as_of=config.clock.today(),
                clock=config.clock,
                actor=delivery.actor,
                rules=sweep.Rules.of(config),
            )
    if as_json:
        lists = {"lists": {"entered": received.entered, "removed": received.removed}} if received else {}
        emit_json(summary.as_dict() | lists)
        return
    out.print(
        f"导入批次 {summary.job}：入库 {summary.accepted} 行，拒收 {summary.rejected} 行，"
        f"重复 {summary.duplicates} 行，更正 {summary.corrected} 行",
        highlight=False,
    )
    if received is not None:
        out.print(f"名单：新列入 {received.entered} 条，移出 {received.removed} 条", highlight=False)
    for warning in summary.warnings:
        err.print(f"[yellow]注意：{escape(warning)}[/]")
    for reject in summary.rejects[:20]:
        out.print(
            f"  第{reject['row']}行 {reject['field'] or ''} [{reject['code']}] {reject['message']}",
            highlight=False,
            markup=False,
        )


@app.command("check")
@refusals
def check_command(
    file: Annotated[
        Path, typer.Argument(help="CSV 或 XLSX（含“统一社会信用代码”或“证件号码”列），或每行一个代码")
    ],
    scenario: Annotated[str, typer.Option(help="审查场景，如 bidding（招标投标）、procurement（政府采购）")],
    department: Annotated[str, typer.Option(help="审查单位的机构代码")],
    purpose: Annotated[
        str | None, typer.Option(help="查询目的代码（见 GET /api/v1/purposes）；不填时取与审查场景同名的目的")
    ] = None,
    as_of: AsOfOption = None,
    as_json: JsonOption = False,
) -> None:
    """信用审查：逐个比对名单和公示期内的失信信息，给出结论（拦截、提示、通过）及适用措施和依据；
    无效的代码逐行报告，其余照常审查；每次审查记入审查单位的审查记录。"""
    from rich.progress import MofNCompleteColumn

    from xinyong.access.policy import policy
    from xinyong.access.service import audit_actor
    from xinyong.disclosure.service import marked_shown
    from xinyong.measures import check

    config = settings_as_of(as_of)
    check.rules(config.data_dir.resolve()).measures.scenario(scenario)  # refused before the purpose is asked
    purposes = policy().purposes
    if purpose is None and scenario not in purposes:
        known = "、".join(f"{code}（{p.label}）" for code, p in purposes.items())
        fail("check.purpose_required", f"场景“{scenario}”不是查询目的，请用 --purpose 列明；可选：{known}")
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err,
        transient=not as_json,
    ) as bar:
        task = bar.add_task(f"读取 {file.name}", total=None)

        def advance(stage: str, done: int, total: int) -> None:
            bar.update(task, description=stage, completed=done, total=total or None)

        codes = check.read_codes(file, progress=advance)
        with admin_session(config) as (session, actor):
            outcome = check.run(
                session,
                data_dir=config.data_dir.resolve(),
                codes=codes,
                scenario=scenario,
                purpose=purpose or scenario,
                roles=check.department_roles(session, department),
                org_code=department,
                actor=audit_actor(actor),
                as_of=config.clock.today(),
                now=config.clock.now(),
                marked_shown=marked_shown(load_profile(config.profile, (config.data_dir / "profiles",))),
                progress=advance,
            )
            document = outcome.as_dict()
    if as_json:
        emit_json(document)
        return
    out.print(
        f"信用审查 {document['number']}（{document['scenario_name']}，{document['as_of']}）："
        f"共 {document['total']} 个，"
        f"拦截 {document['intercepted']} 个，提示 {document['warned']} 个，通过 {document['passed']} 个，"
        f"代码无效 {document['invalid']} 个",
        highlight=False,
    )
    flagged = [r for r in document["results"] if r["verdict"] != "pass"]
    for result in flagged[:20]:
        out.print(
            f"  第{result['row']}行 {result['code']} [{check.VERDICT_LABELS[result['verdict']]}] "
            + "；".join(result["reasons"]),
            highlight=False,
            markup=False,
        )
    for error in document["errors"][:20]:
        out.print(
            f"  第{error['row']}行 {error['field']} [{error['code']}] {error['message']}",
            highlight=False,
            markup=False,
        )


@app.command("sweep")
@refusals
def sweep_command(as_of: AsOfOption = None, as_json: JsonOption = False) -> None:
    """每日例行：公示期满的信息停止公开并转为档案，向已获取该信息的信用服务机构发出停止使用通知；
    名单有效期届满的移出名单并通知实施部门；红名单公示期满无异议的列入；催办逾期未响应的联合奖惩任务。"""
    from xinyong import sweep
    from xinyong.db.engine import session_factory

    config = settings_as_of(as_of)
    factory = session_factory(initialised_engine(config))
    today = config.clock.today()
    total = sweep.due(factory, today)
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,}/{task.total:,}"),
        console=err,
        transient=not as_json,
    ) as bar:
        task = bar.add_task(f"{today.isoformat()} 公示期满的信息", total=total)
        result = sweep.run(
            factory,
            as_of=today,
            clock=config.clock,
            actor=operator(),
            rules=sweep.Rules.of(config),
            progress=lambda count: bar.advance(task, count),
        )
    if as_json:
        emit_json(result.as_dict())
        return
    out.print(
        f"{today.isoformat()}：{result.expired} 条信息公示期满，已停止公开并转为档案；"
        f"发出停止使用通知 {result.notices} 条；{result.entries_ended} 条名单有效期届满移出，"
        f"{result.red_entered} 条红名单公示期满列入；催办逾期联合奖惩任务 {result.reminders} 项；"
        f"异议、撤销、修复办理环节到期提醒 {result.case_reminders} 项、超期提示 {result.case_overdue} 项；"
        f"修复公示期满无异议，完成信用修复 {result.repairs_applied} 件",
        highlight=False,
    )


# ----------------------------------------------------------------------------------- lists and measures

lists_app = typer.Typer(help="名单类型（红名单、严重失信主体名单）及其设立依据", no_args_is_help=True)
app.add_typer(lists_app, name="lists")
measures_app = typer.Typer(help="奖惩措施清单及实施职责", no_args_is_help=True)
app.add_typer(measures_app, name="measures")


@lists_app.command("types")
@refusals
def list_types_command(as_json: JsonOption = False) -> None:
    """列出名单类型：类别、认定单位、设立依据、有效期。"""
    from xinyong.lists.service import list_types

    types = list_types(settings().data_dir.resolve()).types.values()
    if as_json:
        emit_json([t.model_dump(mode="json") for t in types])
        return
    for t in types:
        term = t.term.label() if t.term else "至移出之日"
        out.print(
            f"{t.code}  {t.name}（{t.kind}，{t.determining}，有效期 {term}）", highlight=False, markup=False
        )
        out.print(f"    依据：{t.legal_basis}", highlight=False, markup=False)


commitments_app = typer.Typer(help="信用承诺事项清单", no_args_is_help=True)
app.add_typer(commitments_app, name="commitments")


@commitments_app.command("matters")
@refusals
def commitment_matters_command(as_json: JsonOption = False) -> None:
    """列出信用承诺事项：类别、受理部门、依据（COM-1）。"""
    from xinyong.commitments.schema import KIND_LABELS
    from xinyong.commitments.service import matters

    found = matters(settings().data_dir.resolve()).matters.values()
    if as_json:
        emit_json([m.model_dump(mode="json") for m in found])
        return
    for m in found:
        out.print(
            f"{m.code}  {m.name}（{KIND_LABELS[m.kind]}，{m.department}）", highlight=False, markup=False
        )
        out.print(f"    依据：{m.basis}", highlight=False, markup=False)


@measures_app.command("assign")
@refusals
def measures_assign(
    duty: Annotated[str, typer.Argument(help="措施清单中的实施职责代码，如 bidding、procurement")],
    org: Annotated[str, typer.Argument(help="承担该职责的机构代码")],
) -> None:
    """指定本地承担某项实施职责的机构：列入名单时，联合奖惩任务推送给它（MEA-6）。"""
    from xinyong.access.service import audit_actor
    from xinyong.lists.service import list_types
    from xinyong.measures import service

    config = settings()
    found = service.measure_list(
        config.data_dir.resolve(), frozenset(list_types(config.data_dir.resolve()).types)
    )
    duties = sorted({m.duty for m in found.measures.values()})
    if duty not in duties:
        fail("measures.unknown_duty", f"措施清单中没有实施职责“{duty}”；可选：{'、'.join(duties)}")
    with admin_session(config) as (session, actor):
        service.assign(session, duty=duty, org_code=org, actor=audit_actor(actor), now=config.clock.now())
    out.print(f"[green]已指定[/] {escape(org)} 承担实施职责 {escape(duty)}", highlight=False)


# ----------------------------------------------------------------------------------- outbox delivery

webhook_app = typer.Typer(help="推送地址（webhook）：平台向机构推送消息的网址", no_args_is_help=True)
app.add_typer(webhook_app, name="webhook")

# How long `xinyong deliver` rests between rounds before it looks for due messages again.
DELIVERY_POLL_SECONDS = 2.0


@webhook_app.command("set")
@refusals
def webhook_set(
    org: Annotated[str, typer.Argument(help="机构代码")],
    url: Annotated[str, typer.Argument(help="接收推送的 http:// 或 https:// 网址")],
    secret: Annotated[str | None, typer.Option(help="签名密钥（16 至 128 个字符）；不填则生成")] = None,
    as_json: JsonOption = False,
) -> None:
    """设置机构的推送地址；未给 --secret 时生成签名密钥，只显示这一次。"""
    from xinyong.outbox import service

    config = settings()
    with admin_session(config) as (session, actor):
        hook = service.set_webhook(
            session, by=actor, now=config.clock.now(), org_code=org, url=url, secret=secret
        )
        result = {"org": hook.org_code, "url": hook.url, "secret": hook.secret}
    if as_json:
        emit_json(result)
        return
    out.print(f"[green]已设置[/] {escape(hook.org_code)} 的推送地址 {escape(hook.url)}", highlight=False)
    if secret is None:
        out.print("签名密钥如下，请立即交给接收方保存，此后不再显示：")
        out.print(hook.secret, highlight=False, soft_wrap=True, markup=False)


@webhook_app.command("remove")
@refusals
def webhook_remove(org: Annotated[str, typer.Argument(help="机构代码")]) -> None:
    """停用机构的推送地址；此后它的消息留待其通过 GET /api/v1/outbox 拉取。"""
    from xinyong.outbox import service

    config = settings()
    with admin_session(config) as (session, actor):
        service.remove_webhook(session, by=actor, now=config.clock.now(), org_code=org)
    out.print(f"[green]已停用[/] {escape(org)} 的推送地址", highlight=False)


@app.command("deliver")
@refusals
def deliver_command(
    once: Annotated[bool, typer.Option("--once", help="只投递当前到期的消息，然后退出")] = False,
    as_json: JsonOption = False,
) -> None:
    """把发件箱中到期的消息推送到各机构的推送地址；失败的按退避间隔重试，多次失败的转入死信。

    不加 --once 时持续运行，按 Ctrl-C 停止。
    """
    import time

    from xinyong.db.engine import session_factory
    from xinyong.outbox import delivery

    config = settings()
    factory = session_factory(initialised_engine(config))
    policy = delivery.RetryPolicy.of(config)
    total = delivery.Tally()

    def describe(tally: delivery.Tally, state: str = "推送中") -> str:
        return f"{state}：已送达 {tally.delivered} 条，待重试 {tally.retried} 条，转入死信 {tally.dead} 条"

    with (
        delivery.http_client(policy) as client,
        Progress(SpinnerColumn(), TextColumn("{task.description}"), console=err, transient=True) as bar,
    ):
        task = bar.add_task(describe(total), total=None)

        def show(this_round: delivery.Tally) -> None:
            bar.update(task, description=describe(total + this_round))

        try:
            while True:
                total += delivery.deliver_due(
                    factory, clock=config.clock, policy=policy, client=client, progress=show
                )
                bar.update(task, description=describe(total))
                if once:
                    break
                time.sleep(DELIVERY_POLL_SECONDS)
        except KeyboardInterrupt:
            pass
    if as_json:
        emit_json(total.as_dict())
        return
    out.print(describe(total, "推送结束"), highlight=False)


# ----------------------------------------------------------------------------------- evaluation
evaluate_app = typer.Typer(help="公共信用综合评价（EVA-1、EVA-3）", invoke_without_command=True)
inspect_app = typer.Typer(help="按信用等级的双随机抽查（EVA-2）", no_args_is_help=True)
app.add_typer(evaluate_app, name="evaluate")
app.add_typer(inspect_app, name="inspect")
import xinyong.evaluation.cli  # noqa: E402, F401  (its commands, built on the helpers above)

# ------------------------------------------------------------------------------- government integrity
government_app = typer.Typer(help="政务诚信：区域政务诚信评价与债务风险预警", no_args_is_help=True)
app.add_typer(government_app, name="government")


@government_app.command("evaluate")
@refusals
def government_evaluate(as_of: AsOfOption = None, as_json: JsonOption = False) -> None:
    """开展区域政务诚信评价（GOV-4）：按评价指标逐个区域计分定级，结果保存并在公开页面展示；同时列出债务风险预警。"""
    from xinyong.db.engine import session_factory, transaction
    from xinyong.government import evaluation

    config = settings_as_of(as_of)
    file = evaluation.rules(config.data_dir.resolve())
    today = config.clock.today()
    with (
        transaction(session_factory(initialised_engine(config))) as session,
        Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            console=err,
            transient=True,
        ) as bar,
    ):
        task = bar.add_task(f"{today.isoformat()} 区域政务诚信评价", total=None)
        _, results = evaluation.evaluate(
            session,
            file=file,
            as_of=today,
            actor=operator(),
            now=config.clock.now(),
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
        warnings = evaluation.warnings(session, file.debt)
    if as_json:
        emit_json(
            {
                "as_of": today.isoformat(),
                "results": [
                    {"region": r.region_code, "name": r.region_name, "score": str(r.score), "grade": r.grade}
                    for r in results
                ],
                "warnings": [
                    {"region": w.region_code, "year": w.year, "ratio": str(w.ratio), "level": w.level}
                    for w in warnings
                ],
            }
        )
        return
    for r in results:
        out.print(
            f"{r.region_code} {r.region_name}：{r.score} 分，{r.grade}（{r.grade_label}）", highlight=False
        )
    for w in warnings:
        out.print(
            f"{w.region_code} {w.region_name} {w.year} 年债务率 {w.ratio * 100:.1f}%：{w.label}",
            highlight=False,
        )
    out.print(f"{today.isoformat()}：评价区域 {len(results)} 个", highlight=False)


# ------------------------------------------------------------------ market: credit service agencies (MKT-3)
agency_app = typer.Typer(help="信用服务机构名录（登记、暂停、注销）", no_args_is_help=True)
app.add_typer(agency_app, name="agency")


def _agency_row(found: Any) -> dict[str, Any]:
    row = found.agency
    return {
        "org": row.org_code,
        "name": found.name,
        "uscc": row.uscc,
        "filing_number": row.filing_number,
        "registered_on": row.registered_on.isoformat(),
        "status": row.status,
        "status_label": found.status_label,
        "status_reason": row.status_reason,
    }


@agency_app.command("register")
@refusals
def agency_register(
    org: Annotated[str, typer.Argument(help="信用服务机构的机构代码（类型 agency，已登记统一社会信用代码）")],
    filing_number: Annotated[str, typer.Option(help="登记备案编号")],
    registered_on: Annotated[str, typer.Option(help="登记备案日期（YYYY-MM-DD）")],
    scope: Annotated[str, typer.Option(help="业务范围")],
    commitment: Annotated[str, typer.Option(help="信用承诺（JN 45）")],
    as_json: JsonOption = False,
) -> None:
    """把一家信用服务机构登记入名录（MKT-3）。"""
    from xinyong.access.service import audit_actor
    from xinyong.market import registry

    config = settings()
    with admin_session(config) as (session, actor):
        registry.register(
            session,
            org_code=org,
            filing_number=filing_number,
            registered_on=parse_date(registered_on, "--registered-on"),
            business_scope=scope,
            commitment=commitment,
            actor=audit_actor(actor),
            now=config.clock.now(),
            today=config.clock.today(),
        )
        result = _agency_row(registry.one(session, org))
    if as_json:
        emit_json(result)
    else:
        out.print(f"[green]已登记[/] {result['name']}（{org}，{result['filing_number']}）")


@agency_app.command("status")
@refusals
def agency_status(
    org: Annotated[str, typer.Argument(help="机构代码")],
    status: Annotated[str, typer.Argument(help="active（恢复）、suspended（暂停）或 cancelled（注销）")],
    reason: Annotated[str, typer.Option(help="原因（暂停、注销须填）")] = "",
    as_json: JsonOption = False,
) -> None:
    """暂停、恢复或注销一家信用服务机构；暂停或注销后不再向其提供任何信息。"""
    from xinyong.access.service import audit_actor
    from xinyong.market import registry

    config = settings()
    with admin_session(config) as (session, actor):
        registry.set_status(
            session,
            org_code=org,
            status=status,
            reason=reason,
            actor=audit_actor(actor),
            now=config.clock.now(),
            today=config.clock.today(),
        )
        result = _agency_row(registry.one(session, org))
    if as_json:
        emit_json(result)
    else:
        out.print(f"{result['name']}（{org}）：{result['status_label']}", highlight=False)


@agency_app.command("list")
@refusals
def agency_list(as_json: JsonOption = False) -> None:
    """列出名录中的信用服务机构及其状态。"""
    from xinyong.market import registry

    with admin_session(settings()) as (session, _):
        rows = [_agency_row(found) for found in registry.listed(session)]
    if as_json:
        emit_json(rows)
        return
    table = Table("代码", "名称", "登记备案编号", "登记日期", "状态")
    for row in rows:
        table.add_row(
            row["org"], row["name"], row["filing_number"], row["registered_on"], row["status_label"]
        )
    out.print(table)


# ----------------------------------------------------------------------- statistics and assessments (RPT-1)
# -------------------------------------------------------------------------------- backup and restore (SEC-4)
from xinyong.db import cli as backup_cli  # noqa: E402, F401  (xinyong backup and restore)
from xinyong.reports import cli as reports_cli  # noqa: E402, F401  (xinyong report, built on the helpers above)

# ----------------------------------------------------------------------------------- exchange (INT-1)

exchange_app = typer.Typer(
    help="与其他信用平台交换数据（交换包：导出增量或全量、导入）", no_args_is_help=True
)
app.add_typer(exchange_app, name="exchange")


@contextmanager
def _counting(label: str, as_json: bool) -> Iterator[Callable[[int], None]]:
    """A spinner counting lines done, on stderr."""
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), console=err, transient=not as_json
    ) as bar:
        task, done = bar.add_task(f"{label}：0 行", total=None), 0

        def advance(count: int) -> None:
            nonlocal done
            done += count
            bar.update(task, description=f"{label}：{done:,} 行")

        yield advance


@exchange_app.command("export")
@refusals
def exchange_export(
    output: Annotated[Path, typer.Option("--output", help="写入的交换包文件（.zip）")],
    since: Annotated[
        str | None, typer.Option("--since", help="从此水位之后导出增量，如 1200:35（记录版本号:名单步骤号）")
    ] = None,
    full: Annotated[bool, typer.Option("--full", help="导出全量快照")] = False,
    destination: Annotated[
        str, typer.Option("--destination", help="交换去向；不写 --since 时从该去向上次导出的水位继续")
    ] = "default",
    as_json: JsonOption = False,
) -> None:
    """导出交换包：可共享的信用记录、本平台认定的严重失信主体名单，以及撤回、移出的信息；清单经签名。"""
    from xinyong.db.engine import session_factory
    from xinyong.exchange import service as exchange
    from xinyong.exchange.package import Watermark

    if full and since is not None:
        fail("exchange.since_and_full", "--since 与 --full 只能选一个")
    config = settings()
    factory = session_factory(initialised_engine(config))
    start = None if full else Watermark.parse(since, "--since") if since is not None else None
    if not full and since is None:
        with factory() as session:
            start = exchange.watermark(session, destination) or Watermark(0, 0)
    with _counting(f"导出 {output.name}", as_json) as advance:
        done = exchange.export_package(
            factory,
            path=output,
            settings=config,
            since=start,
            actor=operator(),
            destination=destination,
            progress=advance,
        )
    if as_json:
        emit_json(done.as_dict())
        return
    rows = "，".join(f"{name} {count} 行" for name, count in done.rows.items())
    out.print(
        f"已导出{'全量快照' if done.kind == 'snapshot' else '增量'} {output}：{rows}；"
        f"水位 {done.since} → {done.upto}",
        highlight=False,
    )


@exchange_app.command("import")
@refusals
def exchange_import(
    file: Annotated[Path, typer.Argument(help="其他平台的交换包（.zip）")], as_json: JsonOption = False
) -> None:
    """导入其他平台的交换包：先核验签名和校验和，再经统一归集流程入库；重复导入不会重复入库。"""
    from xinyong.db.engine import session_factory
    from xinyong.exchange import service as exchange

    config = settings()
    factory = session_factory(initialised_engine(config))
    receiver = exchange.Receiver(
        profile=load_profile(config.profile, (config.data_dir / "profiles",)),
        clock=config.clock,
        actor=operator(),
        data_dir=config.data_dir.resolve(),
    )
    with _counting(f"导入 {file.name}", as_json):
        result = exchange.import_package(
            factory,
            path=file,
            key=exchange.key_of(config),
            max_bytes=config.exchange_max_bytes,
            receiver=receiver,
        )
    if as_json:
        emit_json(result.as_dict())
        return
    kind = "全量" if result.kind == "snapshot" else "增量"
    out.print(
        f"来自 {result.producer} 的{kind}交换包：入库 {result.accepted} 条，拒收 {result.rejected} 条，"
        f"重复 {result.duplicates} 条，更正 {result.corrected} 条，撤回 {result.removed} 条",
        highlight=False,
    )
    for reject in result.rejects[:20]:
        where = f"{reject['file']} 第{reject['row']}行 {reject['field'] or ''}"
        out.print(f"  {where} [{reject['code']}] {reject['message']}", highlight=False, markup=False)
