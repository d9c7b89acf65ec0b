"""Repair and interview API: subjects (or operators for them) apply, providers give opinions and verify
objections, anyone objects during the publicity, operators refuse what does not qualify (REP-1..REP-6)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request, Response, UploadFile
from fastapi import Path as PathParam
from sqlalchemy.orm import Session

from xinyong.access.actors import Actor
from xinyong.access.deps import DB, Permission
from xinyong.disclosure.pdf import find_font
from xinyong.errors import NotFound, XinyongError
from xinyong.lists.api import context
from xinyong.records.models import MAX_ID
from xinyong.repair import documents, service
from xinyong.repair.models import RepairCase
from xinyong.repair.schemas import (
    CaseOut,
    InterviewIn,
    InterviewOut,
    NoticeOut,
    ObjectionIn,
    OpinionIn,
    RefuseIn,
    VerifyIn,
)
from xinyong.rules.dates import parse_date
from xinyong.subjects import service as subjects
from xinyong.web.forms import download, uploads

router = APIRouter(tags=["repair"])
Number = Annotated[
    str, PathParam(min_length=4, max_length=32, pattern=r"^[A-Z0-9]+$", description="申请编号")
]
Provider = Annotated[Actor, Depends(Permission("case.reply"))]
Anyone = Annotated[Actor, Depends(Permission("public.read"))]


def applicant(session: Session, actor: Actor, code: str | None) -> str:
    """The subject itself, or the subject an operator files for."""
    if actor.subject_key is not None:
        return actor.subject_key
    found = subjects.find(session, code or "")
    if found is None:
        raise XinyongError("repair.subject", "请填写代为申请的信用主体代码", field="subject")
    return found.key


def readable(session: Session, actor: Actor, number: str) -> RepairCase:
    """The applicant, the provider of the record and the operator see a case; for anyone else it does not
    exist."""
    case = service.get(session, number)
    if actor.subject_key == case.subject_key or "case.handle" in actor.permissions:
        return case
    if actor.org_code is not None and actor.org_code == case.provider:
        return case
    raise NotFound("repair.not_found", f"信用修复申请 {number[:32]} 不存在")


def out(session: Session, case: RepairCase) -> CaseOut:
    return CaseOut.of(
        case,
        [f.filename for f in service.files_of(session, case.id)],
        service.objections_of(session, case.id),
        service.interviews_of(session, record_id=case.record_id),
    )


def decision_response(request: Request, session: Session, case: RepairCase) -> Response:
    state = request.app.state
    data_dir = state.settings.data_dir.resolve()
    pdf = documents.decision_pdf(
        session,
        case,
        font=find_font(data_dir),
        key=state.secret_key,
        verify_base=str(request.base_url).rstrip("/"),
        data_dir=data_dir,
    )
    return download(
        pdf, media_type="application/pdf", filename=f"{documents.TITLE[case.status]}-{case.number}.pdf"
    )


@router.get("/repairs/publicity", response_model=list[NoticeOut], summary="修复意见公示（任何人可提出异议）")
def publicity(request: Request, session: DB, actor: Anyone) -> list[NoticeOut]:
    """What the portal's publicity page shows, no more: persons masked, no evidence or case details."""
    state = request.app.state
    found = service.notices(session, today=state.settings.clock.today(), masking=state.profile.masking)
    return [NoticeOut(**asdict(n)) for n in found]


@router.post("/repairs", response_model=CaseOut, status_code=201, summary="申请信用修复（免费）")
async def apply_for(
    request: Request,
    session: DB,
    actor: Annotated[Actor, Depends(Permission("case.file"))],
    record: Annotated[int, Form(ge=1, le=MAX_ID)],
    corrected_on: Annotated[str, Form(max_length=10, description="YYYY-MM-DD")],
    correction: Annotated[str, Form(max_length=4000)],
    ways: Annotated[list[str], Form(max_length=6)],
    commitment: Annotated[str, Form(max_length=4000)] = "",
    reorganization_ruling: Annotated[str, Form(max_length=128)] = "",
    reorganization_on: Annotated[str, Form(max_length=10, description="YYYY-MM-DD")] = "",
    subject: Annotated[str | None, Form(max_length=64)] = None,
    files: list[UploadFile] | None = None,
) -> CaseOut:
    received = await uploads(files or [])
    case = service.file(
        session,
        context(request, actor),
        subject_key=applicant(session, actor, subject),
        application=service.Application(
            record_id=record,
            correction=correction,
            corrected_on=parse_date(corrected_on, "纠正日期"),
            ways=tuple(ways),
            commitment=commitment,
            reorganization_ruling=reorganization_ruling,
            reorganization_on=parse_date(reorganization_on, "重整裁定日期") if reorganization_on else None,
            files=tuple(received),
        ),
        data_dir=request.app.state.settings.data_dir.resolve(),
    )
    return out(session, case)


@router.get("/repairs", response_model=list[CaseOut], summary="信用修复申请队列")
def queue(session: DB, actor: Annotated[Actor, Depends(Permission("case.read"))]) -> list[CaseOut]:
    provider = None if "case.handle" in actor.permissions else actor.org_code or ""
    return [out(session, c) for c in service.queue(session, provider=provider)]


@router.get("/repairs/{number}", response_model=CaseOut, summary="信用修复申请及其办理情况")
def show(number: Number, session: DB, actor: Anyone) -> CaseOut:
    return out(session, readable(session, actor, number))


@router.get("/repairs/{number}/decision", summary="信用修复决定书（PDF）")
def decision(request: Request, number: Number, session: DB, actor: Anyone) -> Response:
    return decision_response(request, session, readable(session, actor, number))


@router.post("/repairs/{number}/opinion", response_model=CaseOut, summary="信息提供单位书面修复意见")
def opinion(request: Request, number: Number, body: OpinionIn, session: DB, actor: Provider) -> CaseOut:
    case = service.give_opinion(
        session,
        context(request, actor),
        number=number,
        org_code=actor.org_code,
        agrees=body.agrees,
        text=body.text,
    )
    return out(session, case)


@router.post("/repairs/{number}/objections", status_code=201, summary="对修复公示提出异议")
def object_to(
    request: Request, number: Number, body: ObjectionIn, session: DB, actor: Anyone
) -> dict[str, str]:
    service.object_to(session, context(request, actor), number=number, text=body.text, contact=body.contact)
    return {"number": number, "status": "objected"}


@router.post("/repairs/{number}/verification", response_model=CaseOut, summary="核实公示期间的异议")
def verify(request: Request, number: Number, body: VerifyIn, session: DB, actor: Provider) -> CaseOut:
    case = service.verify_objections(
        session,
        context(request, actor),
        number=number,
        org_code=actor.org_code,
        upheld=body.upheld,
        finding=body.finding,
    )
    return out(session, case)


@router.post("/repairs/{number}/refusal", response_model=CaseOut, summary="不予修复（写明理由）")
def refuse(
    request: Request,
    number: Number,
    body: RefuseIn,
    session: DB,
    actor: Annotated[Actor, Depends(Permission("case.handle"))],
) -> CaseOut:
    return out(session, service.refuse(session, context(request, actor), number=number, reasons=body.reasons))


@router.post("/interviews", response_model=InterviewOut, status_code=201, summary="记录提示约谈或警示约谈")
def interview(request: Request, body: InterviewIn, session: DB, actor: Provider) -> InterviewOut:
    row = service.record_interview(
        session,
        context(request, actor),
        record_id=body.record,
        org_code=actor.org_code,
        kind=body.kind,
        held_on=body.held_on,
        department=body.department,
        content=body.content,
        outcome=body.outcome,
    )
    return InterviewOut.of(row)


@router.get("/interviews", response_model=list[InterviewOut], summary="本单位信用记录的约谈")
def interviews(
    session: DB,
    actor: Annotated[Actor, Depends(Permission("case.read"))],
    record: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> list[InterviewOut]:
    rows = service.interviews_of(session, record_id=record) if record else []
    if "case.handle" not in actor.permissions:
        rows = [r for r in rows if r.org_code == actor.org_code]
    return [InterviewOut.of(r) for r in rows]
