"""Credit-check API (CHK-1, CHK-2, MEA-7): check codes or a file, read and export the department's own check
log, save a check as a certificate. Every route needs ``check.run``.

A check returns list memberships (public information), the measures of the measure list and the number of
negative records in their public period, never a record's content: it does not read through the visibility
gate, and each check is logged with the department and the purpose it states.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from functools import partial
from pathlib import Path, PurePath
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Query, Request, Response, UploadFile
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from xinyong.access.actors import Actor
from xinyong.access.deps import DB, Permission
from xinyong.access.service import audit_actor
from xinyong.disclosure.pdf import find_font
from xinyong.disclosure.service import marked_shown
from xinyong.errors import Forbidden, XinyongError
from xinyong.measures import certificate, check
from xinyong.measures.schemas import CheckIn, CheckLogOut, CheckOut, CheckSummaryOut
from xinyong.records import report
from xinyong.web.forms import save_upload
from xinyong.web.threads import at_length

router = APIRouter(prefix="/checks", tags=["checks"])
Checker = Annotated[Actor, Depends(Permission(check.PERMISSION))]
Number = Annotated[str, PathParam(max_length=32, description="审查编号")]
Format = Literal["json", "csv", "xlsx"]
FormatQuery = Annotated[Format, Query(description="json；csv 或 xlsx 下载表格，供本单位审计")]
MAX_UPLOAD = 50 * 1024 * 1024  # 100,000 codes with names are a few MB in either format
UPLOAD_SUFFIXES = {".csv", ".xlsx", ".txt"}
LONG_CHECK = 1_000  # codes: a bigger batch takes a second or more, long work (web.threads), not a request's
TABLE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/json": {}, report.MEDIA["csv"]: {}, report.MEDIA["xlsx"]: {}}}
}
LOG_HEADERS = [
    "审查编号",
    "审查时间",
    "审查单位",
    "操作人",
    "审查场景",
    "查询目的",
    "信息截止日期",
    "代码数",
    "拦截",
    "提示",
    "通过",
    "代码无效",
    "已出具证明",
]
RESULT_HEADERS = [
    "行号",
    "代码",
    "审查结论",
    "名单",
    "适用措施",
    "公示期内失信信息（条）",
    "信用评价",
    "标记",
    "说明",
]


def _department(actor: Actor) -> str:
    if actor.org_code is None:
        raise Forbidden("check.no_org", "只有机构账号可以进行信用审查")
    return actor.org_code


def _run(
    request: Request, session: Session, actor: Actor, codes: list[check.Wanted], scenario: str, purpose: str
) -> Response:
    state = request.app.state
    outcome = check.run(
        session,
        data_dir=state.settings.data_dir.resolve(),
        codes=codes,
        scenario=scenario,
        purpose=purpose,
        roles=actor.roles,
        org_code=_department(actor),
        actor=audit_actor(actor),
        as_of=state.settings.clock.today(),
        now=state.settings.clock.now(),
        marked_shown=marked_shown(state.profile),
    )
    # The log first, the answer after: on SQLite the check holds the one write lock until its commit.
    session.commit()
    return Response(outcome.json(), media_type="application/json")


@router.post("", response_model=CheckOut, summary="信用审查：一个或一批代码（最多 100,000 个）")
async def check_codes(request: Request, session: DB, body: CheckIn, actor: Checker) -> Response:
    """Each code gets a verdict with the lists, the measures of the scenario and their basis; bad codes are
    reported by position (``row``, from 1) and the rest checked."""
    work = partial(_check_codes, request, session, body, actor)
    return await (at_length(work) if len(body.codes) > LONG_CHECK else run_in_threadpool(work))


def _check_codes(request: Request, session: Session, body: CheckIn, actor: Actor) -> Response:
    codes = [
        check.Wanted(row=row, code=code, name=body.names.get(code, ""), field="codes")
        for row, code in enumerate(body.codes, start=1)
    ]
    return _run(request, session, actor, codes, body.scenario, body.purpose)


@router.post(
    "/upload",
    response_model=CheckOut,
    summary="信用审查：上传文件（CSV 或 XLSX，含“统一社会信用代码”或“证件号码”列；或每行一个代码）",
)
async def check_file(
    request: Request,
    session: DB,
    actor: Checker,
    file: UploadFile,
    scenario: Annotated[str, Form(max_length=32)],
    purpose: Annotated[str, Form(max_length=64)],
) -> Response:
    """Rows are numbered as Excel shows them; a name column (名称、姓名 …) is used to match masked entries."""
    return await at_length(partial(_check_file, request, session, actor, file, scenario, purpose))


def _check_file(
    request: Request, session: Session, actor: Actor, file: UploadFile, scenario: str, purpose: str
) -> Response:
    name = PurePath(file.filename or "codes.csv").name
    suffix = PurePath(name).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise XinyongError("file.format", f"只接受 CSV、XLSX 或文本文件（实际为“{name[:80]}”）", field="file")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"codes{suffix}"
        too_large = XinyongError("file.too_large", f"文件超过 {MAX_UPLOAD // (1024 * 1024)} MB", field="file")
        save_upload(file, path, max_bytes=MAX_UPLOAD, refusal=too_large)
        codes = check.read_codes(path, name=name)
    return _run(request, session, actor, codes, scenario, purpose)


@router.get(
    "",
    response_model=CheckLogOut,
    responses=TABLE_RESPONSES,
    summary="本单位的信用审查记录（可导出 CSV 或 XLSX）",
)
def check_log(
    session: DB,
    actor: Checker,
    format: FormatQuery = "json",
    offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Response:
    """Newest first; an export holds the whole log, for the department's own auditors (CHK-2)."""
    org = _department(actor)
    if format != "json":
        _, every = check.log(session, org_code=org)
        rows = [_log_row(check.summary(c)) for c in every]
        return _table(LOG_HEADERS, rows, format, f"信用审查记录-{org}", "审查记录")
    total, page = check.log(session, org_code=org, offset=offset, limit=limit)
    out = CheckLogOut(total=total, checks=[CheckSummaryOut.model_validate(check.summary(c)) for c in page])
    return JSONResponse(out.model_dump(mode="json"))


@router.get(
    "/{number}/results",
    response_model=CheckOut,
    responses=TABLE_RESPONSES,
    summary="本单位的一次信用审查及其全部结果（可导出 CSV 或 XLSX）",
)
def check_results(session: DB, actor: Checker, number: Number, format: FormatQuery = "json") -> Response:
    found = check.get(session, number=number, org_code=_department(actor))
    if format == "json":
        return Response(check.document(found), media_type="application/json")
    results, errors = check.contents(found)
    rows = sorted([*map(_result_row, results), *map(_error_row, errors)], key=lambda r: r[0])
    return _table(RESULT_HEADERS, rows, format, f"信用审查结果-{found.number}", "审查结果")


@router.post(
    "/{number}/certificate",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "PDF"}},
    summary="出具信用审查证明（PDF，带编号和验证码，可在 /verify/{编号} 核验）",
)
def issue_certificate(request: Request, session: DB, actor: Checker, number: Number) -> Response:
    state = request.app.state
    certifying = certificate.Certifying(
        key=state.secret_key,
        verify_base=str(request.base_url).rstrip("/"),
        font=find_font(state.settings.data_dir),
        actor=audit_actor(actor),
        now=state.settings.clock.now(),
    )
    report, pdf = certificate.certify(
        session, number=number, org_code=_department(actor), certifying=certifying
    )
    name = quote(f"信用审查证明-{report.number}.pdf")
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{name}",
            "X-Report-Number": report.number,
        },
    )


# ------------------------------------------------------------------------------------------- tables
def _log_row(facts: dict[str, Any]) -> list[Any]:
    return [
        facts["number"],
        facts["at"],
        facts["department"],
        facts["actor"],
        f"{facts['scenario_name']}（{facts['scenario']}）",
        facts["purpose_label"],
        facts["as_of"],
        facts["total"],
        facts["intercepted"],
        facts["warned"],
        facts["passed"],
        facts["invalid"],
        "是" if facts["certificate"] else "否",
    ]


def _result_row(result: dict[str, Any]) -> list[Any]:
    flags = [
        label
        for flag, label in (("lenient", "宽容审慎"), ("objected", "异议处理中"))
        if result["flags"][flag]
    ] + (["可容缺受理"] if result.get("tolerance") else [])
    return [
        result["row"],
        result["code"],
        check.VERDICT_LABELS[result["verdict"]],
        "；".join(
            f"{m['list_name']}（{m['entry']}，{check.MATCH_LABELS[m['match']]}）" for m in result["lists"]
        ),
        "；".join(f"{m['matter']}（{m['legal_basis']}）" for m in result["measures"]),
        result["negative_records"],
        _grade(result.get("grade")),
        "、".join(flags),
        "；".join(result["reasons"]),
    ]


def _grade(grade: dict[str, Any] | None) -> str:
    """The subject's evaluation grade at the check (CHK-1), with the model it came from."""
    if not grade:
        return ""
    return f"{grade['grade']}（{grade['label']}，{grade['model']} {grade['model_version']}）"


def _error_row(error: dict[str, Any]) -> list[Any]:
    return [
        error["row"],
        error["value"],
        "代码无效",
        "",
        "",
        "",
        "",
        "",
        f"[{error['code']}] {error['message']}",
    ]


def _table(
    headers: list[str], rows: Sequence[Sequence[Any]], format: str, title: str, sheet: str
) -> Response:
    content, media = report.spreadsheet(headers, rows, format, sheet)
    name = quote(f"{title}.{format}")
    return Response(
        content,
        media_type=media,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"},
    )
