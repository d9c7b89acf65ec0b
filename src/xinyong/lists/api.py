"""Lists API: determining departments run the black and red list procedures and subjects are heard
(LIST-2..9); the public sees the lists on the portal page ``/lists``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi import Path as PathParam

from xinyong.access.actors import Actor
from xinyong.access.deps import DB, Permission
from xinyong.access.service import audit_actor
from xinyong.disclosure.pdf import find_font
from xinyong.errors import Forbidden
from xinyong.lists import documents, service
from xinyong.lists.models import ListEntry
from xinyong.lists.schemas import (
    ConfirmIn,
    CorrectIn,
    DecideIn,
    EntryOut,
    ProposeIn,
    RemoveIn,
    StatementIn,
)
from xinyong.lists.service import Context
from xinyong.subjects import service as subjects

router = APIRouter(tags=["lists"])
Number = Annotated[
    str, PathParam(min_length=4, max_length=32, pattern=r"^[A-Z0-9]+$", description="名单记录编号")
]
Determining = Annotated[Actor, Depends(Permission("list.propose"))]


def context(request: Request, actor: Actor) -> Context:
    """The procedure context of a request: the profile, the calendar, who acts and when (list, objection,
    repair and revocation steps all take one)."""
    state = request.app.state
    clock = state.settings.clock
    return service.context(
        state.settings.data_dir.resolve(),
        profile=state.profile,
        calendar=state.calendar,
        actor=audit_actor(actor),
        today=clock.today(),
        now=clock.now(),
    )


def _subject_key(session: DB, code: str) -> str:
    """The archive key of a code as typed (spaces, full-width, lower case); unknown codes are refused later
    by the procedure, naming the code."""
    subject = subjects.find(session, code)
    return subject.key if subject is not None else code


def _out(session: DB, entry: ListEntry) -> EntryOut:
    return EntryOut.of(entry, service.steps_of(session, entry.id))


def _serve(request: Request, session: DB, ctx: Context, entry: ListEntry, kind: str) -> None:
    """Issue the document this step serves (notice, decision, apology, removal announcement, LIST-4, LIST-9);
    its number goes on the step, the subject downloads it from its archive and anyone can verify it."""
    if entry.subject_key is None:  # an entry received with a masked ID: nobody to serve it on
        return
    state = request.app.state
    data_dir = state.settings.data_dir.resolve()
    documents.issue(
        session,
        ctx,
        entry,
        kind,
        font=find_font(data_dir),
        key=state.secret_key,
        verify_base=str(request.base_url).rstrip("/"),
        data_dir=data_dir,
    )


@router.post("/lists/entries", response_model=EntryOut, status_code=201, summary="提出拟列入严重失信主体名单")
def propose(request: Request, body: ProposeIn, session: DB, actor: Determining) -> EntryOut:
    """Nothing takes effect yet: the notice, the defence period and the decision come first (LIST-3)."""
    entry = service.propose(
        session,
        context(request, actor),
        list_type=body.list_type,
        subject_key=_subject_key(session, body.subject),
        reasons=body.reasons,
        org_code=actor.org_code,
        record_id=body.record,
    )
    return _out(session, entry)


@router.post(
    "/lists/red", response_model=EntryOut, status_code=201, summary="认定红名单：初步名单、交叉比对、公示"
)
def determine_red(request: Request, body: ProposeIn, session: DB, actor: Determining) -> EntryOut:
    entry = service.determine_red(
        session,
        context(request, actor),
        list_type=body.list_type,
        subject_key=_subject_key(session, body.subject),
        reasons=body.reasons,
        org_code=actor.org_code,
    )
    return _out(session, entry)


@router.post("/lists/entries/{number}/notice", response_model=EntryOut, summary="送达事先告知书")
def serve_notice(request: Request, number: Number, session: DB, actor: Determining) -> EntryOut:
    ctx = context(request, actor)
    entry = service.serve_notice(session, ctx, number=number, org_code=actor.org_code)
    _serve(request, session, ctx, entry, "notice")
    return _out(session, entry)


@router.post("/lists/entries/{number}/decision", response_model=EntryOut, summary="作出列入或不予列入决定")
def decide(request: Request, number: Number, body: DecideIn, session: DB, actor: Determining) -> EntryOut:
    ctx = context(request, actor)
    entry = service.decide(
        session,
        ctx,
        number=number,
        org_code=actor.org_code,
        listed=body.listed,
        answer=body.answer,
        term_end=body.term_end,
    )
    if entry.status == "active":
        _serve(request, session, ctx, entry, "decision")
    return _out(session, entry)


@router.post("/lists/entries/{number}/confirm", response_model=EntryOut, summary="红名单公示期满后认定")
def confirm(request: Request, number: Number, body: ConfirmIn, session: DB, actor: Determining) -> EntryOut:
    entry = service.confirm_red(
        session,
        context(request, actor),
        number=number,
        org_code=actor.org_code,
        listed=body.listed,
        answer=body.answer,
    )
    return _out(session, entry)


@router.post(
    "/lists/entries/{number}/removal", response_model=EntryOut, summary="移出名单（修复、撤销、错误）"
)
def remove(request: Request, number: Number, body: RemoveIn, session: DB, actor: Determining) -> EntryOut:
    ctx = context(request, actor)
    entry = service.remove(
        session, ctx, number=number, reason=body.reason, text=body.text, org_code=actor.org_code
    )
    _serve(request, session, ctx, entry, "removal")
    return _out(session, entry)


@router.post(
    "/lists/entries/{number}/correction", response_model=EntryOut, summary="误列更正（书面道歉、澄清）"
)
def correct(request: Request, number: Number, body: CorrectIn, session: DB, actor: Determining) -> EntryOut:
    ctx = context(request, actor)
    entry = service.correct_wrongful(session, ctx, number=number, text=body.text, org_code=actor.org_code)
    if entry.kind == "black":
        _serve(request, session, ctx, entry, "apology")
    return _out(session, entry)


@router.post(
    "/lists/entries/{number}/statements", response_model=EntryOut, summary="信用主体陈述申辩或提出异议"
)
def state_case(
    request: Request,
    number: Number,
    body: StatementIn,
    session: DB,
    actor: Annotated[Actor, Depends(Permission("list.respond"))],
) -> EntryOut:
    """The subject is heard before any decision (LIST-3) and may object during a red publicity (LIST-2)."""
    if actor.subject_key is None:
        raise Forbidden("list.subject_only", "只有信用主体本人可以陈述申辩或提出异议")
    entry = service.state_case(
        session,
        context(request, actor),
        number=number,
        subject_key=actor.subject_key,
        text=body.text,
        objection=body.objection,
    )
    return _out(session, entry)


@router.get("/lists/entries/{number}", response_model=EntryOut, summary="名单记录及其程序")
def show(request: Request, number: Number, session: DB, actor: Determining) -> EntryOut:
    entry = service.get(session, number)
    if actor.org_code not in (entry.determining_org, "operator") and actor.subject_key != entry.subject_key:
        raise Forbidden("list.not_yours", "只有认定单位、平台和信用主体本人可以查看名单程序")
    return _out(session, entry)
