"""Objections API (OBJ-1..OBJ-5): a subject (or an operator for it) files and appeals, the operator handles,
the provider or determining department replies with its verification."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, UploadFile
from fastapi import Path as PathParam
from sqlalchemy.orm import Session

from xinyong.access.actors import Actor
from xinyong.access.deps import DB, Permission
from xinyong.deadlines import service as deadlines
from xinyong.disclosure.pdf import find_font
from xinyong.errors import XinyongError
from xinyong.lists.api import context
from xinyong.objections import documents, service
from xinyong.objections.models import Objection
from xinyong.objections.schemas import AppealIn, DecideIn, FileIn, ObjectionOut, PauseIn, ReferIn, ReplyIn
from xinyong.subjects import service as subjects
from xinyong.web.forms import uploads

router = APIRouter(tags=["objections"])
Number = Annotated[
    str, PathParam(min_length=4, max_length=32, pattern=r"^[A-Z0-9]+$", description="异议案件编号")
]
Filer = Annotated[Actor, Depends(Permission("case.file"))]
Handler = Annotated[Actor, Depends(Permission("case.handle"))]


def data_dir(request: Request) -> Path:
    folder: Path = request.app.state.settings.data_dir.resolve()
    return folder


def out(session: Session, found: Objection) -> ObjectionOut:
    return ObjectionOut.of(
        found,
        service.steps_of(session, found.id),
        deadlines.of_case(session, service.KIND, found.number),
        service.evidence_of(session, found.id),
    )


def applicant(session: Session, actor: Actor, code: str | None) -> str:
    """Whose case: the signed-in subject's own, or the subject an operator files for."""
    if actor.subject_key is not None:
        return actor.subject_key
    found = subjects.find(session, code or "")
    if found is None:
        raise XinyongError(
            "objection.subject_required", "代为提出异议时请填写信用主体的代码", field="subject"
        )
    return found.key


def own_case(session: Session, actor: Actor, number: str) -> Objection:
    """A subject acts on its own cases only; an operator on any."""
    if actor.subject_key is not None:
        return service.get_own(session, number=number, subject_key=actor.subject_key)
    return service.get(session, number)


def decide(request: Request, session: Session, actor: Actor, number: str, body: DecideIn) -> Objection:
    ctx = context(request, actor)
    state = request.app.state
    issue = documents.issuer(
        session,
        ctx,
        font=find_font(data_dir(request)),
        key=state.secret_key,
        verify_base=str(request.base_url).rstrip("/"),
        data_dir=data_dir(request),
    )
    return service.decide(
        session,
        ctx,
        number=number,
        outcome=body.outcome,
        text=body.text,
        own_error=body.own_error,
        data=body.data,
        issue_reply=issue,
    )


@router.post("/objections", response_model=ObjectionOut, status_code=201, summary="提出异议")
def file_objection(request: Request, session: DB, body: FileIn, actor: Filer) -> ObjectionOut:
    found = service.file(
        session,
        context(request, actor),
        data_dir=data_dir(request),
        subject_key=applicant(session, actor, body.subject),
        target_kind=body.target_kind,
        target_ref=body.target_ref,
        grounds=body.grounds,
        statement=body.statement,
        evidence=[e.upload() for e in body.evidence],
    )
    return out(session, found)


@router.post("/objections/{number}/evidence", response_model=ObjectionOut, summary="补充证据材料")
async def add_evidence(
    request: Request, session: DB, number: Number, files: list[UploadFile], actor: Filer
) -> ObjectionOut:
    received = await uploads(files)
    found = service.add_evidence(
        session,
        context(request, actor),
        data_dir=data_dir(request),
        found=own_case(session, actor, number),
        evidence=received,
    )
    return out(session, found)


@router.get("/objections", response_model=list[ObjectionOut], summary="异议案件队列")
def list_objections(
    session: DB,
    request: Request,
    actor: Annotated[Actor, Depends(Permission("case.read"))],
    status: Annotated[str | None, Query(max_length=16)] = None,
    subject: Annotated[str | None, Query(max_length=64)] = None,
) -> list[ObjectionOut]:
    """Overdue first; the operator sees every case, a provider those it must verify."""
    handles = "case.handle" in actor.permissions
    found = subjects.find(session, subject) if subject else None
    if subject and found is None:
        return []
    cases = service.queue(
        session,
        context(request, actor),
        org_code=None if handles else actor.org_code,
        status=status,
        subject_key=found.key if found is not None else None,
    )
    return [out(session, c) for c in cases]


@router.get("/objections/{number}", response_model=ObjectionOut, summary="异议案件")
def read_objection(
    session: DB, number: Number, actor: Annotated[Actor, Depends(Permission("case.read"))]
) -> ObjectionOut:
    handles = "case.handle" in actor.permissions
    return out(session, service.visible_to(session, number=number, org_code=actor.org_code, handles=handles))


@router.post("/objections/{number}/referral", response_model=ObjectionOut, summary="转交提供单位核实")
def refer(request: Request, session: DB, number: Number, body: ReferIn, actor: Handler) -> ObjectionOut:
    return out(session, service.refer(session, context(request, actor), number=number, text=body.text))


@router.post("/objections/{number}/reply", response_model=ObjectionOut, summary="提供单位核实回复")
def reply(
    request: Request,
    session: DB,
    number: Number,
    body: ReplyIn,
    actor: Annotated[Actor, Depends(Permission("case.reply"))],
) -> ObjectionOut:
    found = service.reply(
        session,
        context(request, actor),
        number=number,
        org_code=actor.org_code,
        verification=body.verification,
        text=body.text,
        data=body.data,
    )
    return out(session, found)


@router.post("/objections/{number}/decision", response_model=ObjectionOut, summary="办结并书面答复")
def decision(request: Request, session: DB, number: Number, body: DecideIn, actor: Handler) -> ObjectionOut:
    return out(session, decide(request, session, actor, number, body))


@router.post("/objections/{number}/pause", response_model=ObjectionOut, summary="暂停计时（检验检测等）")
def pause(request: Request, session: DB, number: Number, body: PauseIn, actor: Handler) -> ObjectionOut:
    return out(session, service.pause(session, context(request, actor), number=number, reason=body.reason))


@router.post("/objections/{number}/resume", response_model=ObjectionOut, summary="恢复计时")
def resume(request: Request, session: DB, number: Number, actor: Handler) -> ObjectionOut:
    return out(session, service.resume(session, context(request, actor), number=number))


@router.post("/objections/{number}/appeals", response_model=ObjectionOut, summary="记录申诉、复议或诉讼")
def appeal(request: Request, session: DB, number: Number, body: AppealIn, actor: Filer) -> ObjectionOut:
    found = service.appeal(
        session,
        context(request, actor),
        found=own_case(session, actor, number),
        stage=body.stage,
        on=body.on,
        text=body.text,
        outcome=body.outcome,
    )
    return out(session, found)
