"""Tips API (PUB-1): anyone files and follows a tip with its number and follow-up code; the department it is
routed to accepts, answers and (audited) reads who reported; the operator re-routes."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request, Response, UploadFile
from fastapi import Path as PathParam
from limits import parse
from sqlalchemy.orm import Session

from xinyong.access import ratelimit
from xinyong.access.actors import Actor
from xinyong.access.deps import DB, Permission, PublicAccess, client_address
from xinyong.deadlines import service as deadlines
from xinyong.errors import NotFound, TooManyAttempts
from xinyong.evidence import Upload
from xinyong.lists.api import context
from xinyong.tips import service
from xinyong.tips.categories import categories
from xinyong.tips.models import Tip
from xinyong.tips.schemas import (
    CategoryOut,
    FiledOut,
    RefuseIn,
    ReporterOut,
    RouteIn,
    TipOut,
    TrackIn,
    TrackOut,
)
from xinyong.web.forms import download, uploads

router = APIRouter(tags=["tips"])
Number = Annotated[
    str, PathParam(min_length=4, max_length=32, pattern=r"^[A-Z0-9]+$", description="举报编号")
]
Handler = Annotated[Actor, Depends(Permission("tip.handle"))]
UNITS = {"second": "秒", "minute": "分钟", "hour": "小时", "day": "天"}


def data_dir(request: Request) -> Path:
    folder: Path = request.app.state.settings.data_dir.resolve()
    return folder


def out(session: Session, found: Tip) -> TipOut:
    return TipOut.of(
        found,
        service.steps_of(session, found.id),
        deadlines.of_case(session, service.KIND, found.number),
        service.files_of(session, found.id),
    )


def file_tip(
    request: Request, session: Session, actor: Actor, report: service.Report, received: list[Upload]
) -> service.Filed:
    """File through the flood guard: at most the configured number of tips per address (per account when
    signed in) in the window; only tips that were taken count."""
    settings = request.app.state.settings
    limiter: ratelimit.Limiter = request.app.state.limiter
    limit = parse(settings.tip_filing_limit)
    who = f"account:{actor.account_id}" if actor.account_id is not None else client_address(request)
    try:
        limiter.ensure(limit, "tip", who)
    except TooManyAttempts:
        amount, unit = settings.tip_filing_limit.split("/")
        raise TooManyAttempts(
            "tip.rate_limited",
            f"提交过于频繁：同一网络地址（或账号）每{UNITS[unit]}最多提交 {amount} 件举报投诉，请稍后再试",
        ) from None
    filed = service.file(
        session,
        context(request, actor),
        key=request.app.state.secret_key,
        data_dir=data_dir(request),
        report=report,
        evidence=received,
        account_id=actor.account_id,
        duplicate_window=timedelta(hours=settings.tip_duplicate_hours),
    )
    limiter.count(limit, "tip", who)
    return filed


def track_tip(request: Request, session: Session, number: str, code: str) -> Tip:
    """The reporter's tip, with guessing of follow-up codes limited per address."""
    limiter: ratelimit.Limiter = request.app.state.limiter
    address = client_address(request)
    limiter.ensure(ratelimit.IDENTITY_FAILURES, "tip-track", address)
    try:
        return service.track(session, key=request.app.state.secret_key, number=number, code=code)
    except NotFound:
        limiter.count(ratelimit.IDENTITY_FAILURES, "tip-track", address)
        raise


def tracked(session: Session, found: Tip) -> TrackOut:
    answer = service.files_of(session, found.id, "answer")
    return TrackOut.of(found, service.steps_of(session, found.id), answer[0] if answer else None)


def answer_document(request: Request, session: Session, found: Tip) -> Response:
    kept = service.files_of(session, found.id, "answer")
    if not kept:
        raise NotFound("tip.no_document", f"举报投诉 {found.number} 没有答复文书")
    content = service.file_content(data_dir(request), found, kept[0])
    return download(content, media_type=kept[0].media_type, filename=kept[0].filename)


def routes_all(actor: Actor) -> bool:
    return "tip.route" in actor.permissions


@router.get("/tips/categories", response_model=list[CategoryOut], summary="举报投诉事项类别及主管部门")
def list_categories(request: Request, actor: PublicAccess) -> list[CategoryOut]:
    return [CategoryOut.of(c) for c in categories(data_dir(request)).values()]


@router.post("/tips", response_model=FiledOut, status_code=201, summary="举报失信行为或投诉（无需登录）")
async def file_tip_route(
    request: Request,
    session: DB,
    actor: PublicAccess,
    kind: Annotated[str, Form(max_length=16, description="tip（举报）或 complaint（投诉）")],
    category: Annotated[str, Form(max_length=64)],
    facts: Annotated[str, Form(max_length=service.MAX_FACTS)],
    subject_code: Annotated[str, Form(max_length=64)] = "",
    subject_name: Annotated[str, Form(max_length=200)] = "",
    reporter_name: Annotated[str, Form(max_length=100, description="真实姓名（可不填，即匿名）")] = "",
    reporter_contact: Annotated[
        str, Form(max_length=200, description="电话或电子邮箱（须同时填写姓名）")
    ] = "",
    files: list[UploadFile] | None = None,
) -> FiledOut:
    received = await uploads(files or [])
    report = service.Report(
        kind=kind,
        category=category,
        facts=facts,
        subject_code=subject_code,
        subject_name=subject_name,
        reporter_name=reporter_name,
        reporter_contact=reporter_contact,
    )
    filed = file_tip(request, session, actor, report, received)
    tip = filed.tip
    return FiledOut(
        number=tip.number,
        code=filed.code,
        status=tip.status,
        status_label=service.STATUS_LABELS[tip.status],
        filed_on=tip.filed_on,
    )


@router.post("/tips/{number}/tracking", response_model=TrackOut, summary="凭编号和查询码查询办理进度")
def track(request: Request, session: DB, number: Number, body: TrackIn, actor: PublicAccess) -> TrackOut:
    return tracked(session, track_tip(request, session, number, body.code))


@router.post("/tips/{number}/tracking/document", response_model=None, summary="凭编号和查询码下载答复文书")
def track_document(
    request: Request, session: DB, number: Number, body: TrackIn, actor: PublicAccess
) -> Response:
    return answer_document(request, session, track_tip(request, session, number, body.code))


@router.get("/tips", response_model=list[TipOut], summary="举报投诉队列（不含举报人信息）")
def list_tips(
    request: Request,
    session: DB,
    actor: Handler,
    status: Annotated[str | None, Query(max_length=16)] = None,
) -> list[TipOut]:
    """The operator sees every tip, a department those routed to it; overdue first."""
    found = service.queue(
        session,
        today=request.app.state.settings.clock.today(),
        org_code=None if routes_all(actor) else actor.org_code or "",
        status=status if status in service.STATUS_LABELS else None,
    )
    return [out(session, t) for t in found]


@router.get("/tips/{number}", response_model=TipOut, summary="举报投诉（不含举报人信息）")
def read_tip(session: DB, number: Number, actor: Handler) -> TipOut:
    found = service.visible_to(session, number=number, org_code=actor.org_code, routes_all=routes_all(actor))
    return out(session, found)


@router.get("/tips/{number}/reporter", response_model=ReporterOut, summary="举报人身份和联系方式（查看留痕）")
def read_reporter(request: Request, session: DB, number: Number, actor: Handler) -> ReporterOut:
    """Only for the department the tip is routed to; every read is in the audit log."""
    kept = service.reporter(session, context(request, actor), number=number, org_code=actor.org_code)
    return ReporterOut.of(kept)


@router.post("/tips/{number}/routing", response_model=TipOut, summary="平台改派主管部门")
def reroute(
    request: Request,
    session: DB,
    number: Number,
    body: RouteIn,
    actor: Annotated[Actor, Depends(Permission("tip.route"))],
) -> TipOut:
    found = service.reroute(session, context(request, actor), number=number, org=body.org, text=body.text)
    return out(session, found)


@router.post("/tips/{number}/acceptance", response_model=TipOut, summary="受理")
def accept(request: Request, session: DB, number: Number, actor: Handler) -> TipOut:
    found = service.accept(session, context(request, actor), number=number, org_code=actor.org_code)
    return out(session, found)


@router.post("/tips/{number}/refusal", response_model=TipOut, summary="不予受理")
def refuse(request: Request, session: DB, number: Number, body: RefuseIn, actor: Handler) -> TipOut:
    found = service.refuse(
        session, context(request, actor), number=number, org_code=actor.org_code, text=body.text
    )
    return out(session, found)


@router.post("/tips/{number}/answer", response_model=TipOut, summary="办理答复（可附答复文书）")
async def answer(
    request: Request,
    session: DB,
    number: Number,
    actor: Handler,
    text: Annotated[str, Form(max_length=service.MAX_FACTS)],
    document: list[UploadFile] | None = None,
) -> TipOut:
    received = await uploads(document or [])
    found = service.answer(
        session,
        context(request, actor),
        data_dir=data_dir(request),
        number=number,
        org_code=actor.org_code,
        text=text,
        document=received,
    )
    return out(session, found)
