"""Records API: providers push records as JSON (ING-1); every push is a job with its rejected rows."""

from __future__ import annotations

import secrets
from functools import partial
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Query, Request, Response, UploadFile
from fastapi import Path as PathParam
from pydantic import BaseModel, Field

from xinyong import sweep
from xinyong.access.actors import Actor
from xinyong.access.api import TokenId as JobId
from xinyong.access.deps import Permission
from xinyong.access.service import audit_actor
from xinyong.audit.service import AuditActor
from xinyong.disclosure import service as disclosure
from xinyong.errors import Forbidden, XinyongError
from xinyong.lists.service import list_types
from xinyong.profiles.schema import Severity
from xinyong.records import ingest, report, service
from xinyong.records.models import MAX_ID, ImportJob
from xinyong.records.schemas import ImportOut, RecordsIn
from xinyong.web.forms import save_upload
from xinyong.web.threads import at_length

router = APIRouter(tags=["records"])


@router.post("/records", response_model=ImportOut, summary="推送信用记录（一条或多条）")
async def push_records(
    request: Request, body: RecordsIn, actor: Annotated[Actor, Depends(Permission("record.submit"))]
) -> ImportOut:
    """Good records are stored and bad ones refused with row, field and reason; both in one answer."""
    return await at_length(partial(_push, request, body, actor))


def _push(request: Request, body: RecordsIn, actor: Actor) -> ImportOut:
    if actor.org_code is None:
        raise Forbidden("record.no_provider", "只有机构账号可以推送信用记录")
    state = request.app.state
    delivery = ingest.Delivery(
        provider=actor.org_code,
        item_code=body.item,
        route="api",
        actor=audit_actor(actor),
        default_severity=body.severity,
    )
    with state.sessions() as session:
        found = ingest.resolve(session, delivery, state.settings.clock.today())
    summary = ingest.run(
        state.sessions,
        delivery=delivery,
        rows=ingest.from_mappings(body.records, {f.name for f in found.item.fields}),
        profile=state.profile,
        clock=state.settings.clock,
        found=found,
    )
    _receive_lists(request, body.item, delivery.actor)
    return ImportOut.model_validate(summary.as_dict())


def _receive_lists(request: Request, item_code: str, actor: AuditActor) -> None:
    """A delivery of a received list (the courts' 失信被执行人) updates its entries at once (LIST-10)."""
    state = request.app.state
    data_dir = state.settings.data_dir.resolve()
    if list_types(data_dir).from_item(item_code):
        clock = state.settings.clock
        rules = sweep.Rules(state.profile, state.calendar, data_dir)
        sweep.receive_lists(state.sessions, as_of=clock.today(), clock=clock, actor=actor, rules=rules)


MAX_UPLOAD = 200 * 1024 * 1024
UPLOAD_SUFFIXES = {".csv", ".xlsx", ".txt"}
INTERRUPTED = "导入已中断（长时间没有写入新的批次），请重新提交同一文件：已入库的行不会重复，只补上缺少的行"


class JobOut(BaseModel):
    job: int
    item: str
    route: str
    filename: str | None
    status: str = Field(
        description="running 进行中 · done 完成 · failed 失败 · interrupted 已中断（请重新提交同一文件）"
    )
    total: int
    accepted: int
    rejected: int
    duplicates: int
    corrected: int
    message: str | None


class WithdrawIn(BaseModel):
    reason: str = Field(
        min_length=1, max_length=500, description="撤回原因，如“决定书文号录入错误，已重新报送”"
    )


class WithdrawOut(BaseModel):
    record: int
    state: str
    version: int


RecordId = Annotated[int, PathParam(ge=1, le=MAX_ID, description="信用记录编号")]


@router.post(
    "/records/{record_id}/withdraw", response_model=WithdrawOut, summary="撤回本单位报送的信用记录（ING-7）"
)
def withdraw_record(
    request: Request,
    record_id: RecordId,
    body: WithdrawIn,
    actor: Annotated[Actor, Depends(Permission("record.submit"))],
) -> WithdrawOut:
    """The record leaves every view at once; its versions keep what it said and why it was withdrawn."""
    if actor.org_code is None:
        raise Forbidden("record.no_provider", "只有机构账号可以撤回信用记录")
    state = request.app.state
    with state.sessions() as session, session.begin():
        record = service.withdraw(
            session,
            record_id=record_id,
            provider=actor.org_code,
            reason=body.reason,
            actor=audit_actor(actor),
            now=state.settings.clock.now(),
        )
        disclosure.stop_use(  # agencies given it stop using it (DIS-8)
            session,
            record_ids=[record.id],
            reason="信息提供单位已撤回该信息",
            as_of=state.settings.clock.today(),
            now=state.settings.clock.now(),
            case="withdrawal",
        )
        return WithdrawOut(record=record.id, state=record.state, version=record.version)


def _own_job(request: Request, actor: Actor, job_id: int) -> ImportJob:
    with request.app.state.sessions() as session:
        job = service.get_job(session, job_id)
    if job.provider != actor.org_code:
        raise XinyongError("import.not_found", f"没有编号为 {job_id} 的导入批次", field="job")
    return job


@router.post("/imports", response_model=ImportOut, summary="上传文件导入（CSV 或 XLSX，国家“双公示”格式）")
async def upload(
    request: Request,
    actor: Annotated[Actor, Depends(Permission("record.submit"))],
    file: UploadFile,
    item: Annotated[str, Form(max_length=64)],
    severity: Annotated[Severity | None, Form()] = None,
) -> ImportOut:
    """The file is kept in the data directory, then imported row by row; the answer lists rejected rows."""
    return await at_length(partial(_upload, request, actor, file, item, severity))


def _upload(
    request: Request, actor: Actor, file: UploadFile, item: str, severity: Severity | None
) -> ImportOut:
    if actor.org_code is None:
        raise Forbidden("record.no_provider", "只有机构账号可以导入信用记录")
    name = Path(file.filename or "upload.csv").name
    suffix = Path(name).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise XinyongError("file.format", f"只接受 CSV 或 XLSX 文件（实际为“{name[:80]}”）", field="file")
    state = request.app.state
    folder = state.settings.data_dir / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{secrets.token_hex(8)}{suffix}"
    too_large = XinyongError("file.too_large", f"文件超过 {MAX_UPLOAD // (1024 * 1024)} MB", field="file")
    save_upload(file, path, max_bytes=MAX_UPLOAD, refusal=too_large)
    delivery = ingest.Delivery(
        provider=actor.org_code,
        item_code=item,
        route="file",
        actor=audit_actor(actor),
        filename=name,
        default_severity=severity,
    )
    summary = ingest.import_file(
        state.sessions, path=path, delivery=delivery, profile=state.profile, clock=state.settings.clock
    )
    _receive_lists(request, item, delivery.actor)
    return ImportOut.model_validate(summary.as_dict())


@router.get("/imports/{job_id}", response_model=JobOut, summary="导入批次的状态")
def job_status(
    request: Request, job_id: JobId, actor: Annotated[Actor, Depends(Permission("record.submit"))]
) -> JobOut:
    job = _own_job(request, actor, job_id)
    status = service.shown_status(job, request.app.state.settings.clock.now())
    return JobOut(
        job=job.id,
        item=job.item_code,
        route=job.route,
        filename=job.filename,
        status=status,
        total=job.total,
        accepted=job.accepted,
        rejected=job.rejected,
        duplicates=job.duplicates,
        corrected=job.corrected,
        message=INTERRUPTED if status == "interrupted" else job.message,
    )


@router.get(
    "/imports/{job_id}/rejects", summary="下载拒收行报告（CSV 或 XLSX，中文）", response_class=Response
)
def reject_report(
    request: Request,
    job_id: JobId,
    actor: Annotated[Actor, Depends(Permission("record.submit"))],
    format: Annotated[Literal["csv", "xlsx"], Query(description="csv 或 xlsx")] = "csv",
) -> Response:
    """Every refused row with where and why, for the provider to correct and send again (ING-3)."""
    _own_job(request, actor, job_id)
    with request.app.state.sessions() as session:
        rows = [[r.row, r.field or "", r.code, r.message, r.values] for r in service.rejects(session, job_id)]
    content, media = report.render(rows, format)
    filename = quote(f"拒收报告-{job_id}.{format}")
    return Response(
        content, media_type=media, headers={"Content-Disposition": f"attachment; filename*=UTF-8''{filename}"}
    )
