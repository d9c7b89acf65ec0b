"""Repair pages: the subject applies from its archive and follows its case (``/me/repair``); anyone reads the
opinions in publicity and objects (``/repair-publicity``); the provider and the operator work the queue,
overdue first, give opinions, verify objections, refuse and record interviews (``/admin/repair``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from xinyong.access.actors import Actor
from xinyong.access.csrf import Form
from xinyong.access.deps import DB, Permission
from xinyong.catalog import service as catalog
from xinyong.deadlines import service as deadlines
from xinyong.disclosure import service as disclosure
from xinyong.errors import Forbidden, NotFound, Problem, XinyongError
from xinyong.evidence import MAX_FILE_BYTES, MAX_FILES
from xinyong.lists.api import context
from xinyong.records.models import Record
from xinyong.repair import service
from xinyong.repair.api import decision_response
from xinyong.repair.models import RepairCase
from xinyong.rules.dates import parse_date
from xinyong.subjects import service as subjects
from xinyong.web.forms import act, attempt, download, uploads
from xinyong.web.render import render

router = APIRouter(include_in_schema=False)
Filer = Annotated[Actor, Depends(Permission("case.file"))]
Reader = Annotated[Actor, Depends(Permission("case.read"))]
Anyone = Annotated[Actor, Depends(Permission("public.read"))]


def _today(request: Request) -> date:
    today: date = request.app.state.settings.clock.today()
    return today


def _item_name(session: Session, record: Record) -> str:
    item = catalog.items_by_id(session, [record.item_id]).get(record.item_id)
    return item.name if item is not None else record.item_code


def _conditions(request: Request) -> list[tuple[str, str, str]]:
    """The profile's preconditions and procedure, each with the article it comes from."""
    repair = request.app.state.profile.repair
    days = repair.publicity_days.value
    rows = [
        ("信息状态", "失信（负面）信息，在公示期内，且已公示满最短公示期", "—"),
        (
            "未再失信",
            f"自纠正之日起{repair.clean_period.value.label()}内未再发生同类失信行为",
            repair.clean_period.label(),
        ),
        (
            "信用承诺",
            "须作出信用承诺" if repair.requires_commitment.value else "可自愿作出信用承诺",
            repair.requires_commitment.label(),
        ),
        (
            "提供单位意见",
            f"信息提供单位在 {repair.opinion_days.value} 个工作日内提出书面意见",
            repair.opinion_days.label(),
        ),
        (
            "修复公示",
            f"同意修复的意见公示 {days} 个工作日，期间任何人可提出异议" if days else "不经公示",
            repair.publicity_days.label(),
        ),
    ]
    return rows


def _own_case(session: Session, actor: Actor, number: str) -> RepairCase:
    case = service.get(session, number)
    if actor.subject_key is None or case.subject_key != actor.subject_key:
        raise NotFound("repair.not_found", f"信用修复申请 {number} 不存在")
    return case


def _case_context(request: Request, session: Session, case: RepairCase) -> dict[str, Any]:
    record = session.get(Record, case.record_id)
    assert record is not None
    return {
        "case": case,
        "record": record,
        "item_name": _item_name(session, record),
        "ways": service.ways_of(case),
        "statuses": service.STATUS_LABELS,
        "dues": deadlines.of_case(session, service.KIND, case.number),
        "files": service.files_of(session, case.id),
        "objections": service.objections_of(session, case.id),
        "interviews": service.interviews_of(session, record_id=case.record_id),
        "interview_kinds": service.INTERVIEW_KINDS,
        "today": _today(request),
    }


# ------------------------------------------------------------------------------------------- subject
def _form_context(request: Request, session: Session, actor: Actor, record_id: int) -> dict[str, Any]:
    if actor.subject_key is None:
        raise Forbidden("repair.subject_only", "请以信用主体身份登录后申请信用修复")
    record = service.own_record(session, record_id=record_id, subject_key=actor.subject_key)
    ctx = context(request, actor)
    not_yet: Problem | None = None
    possible_on: date | None = None
    try:
        service.check_record(session, ctx, record)
    except service.NotYet as exc:
        not_yet, possible_on = exc.problem, exc.possible_on
    except XinyongError as exc:
        not_yet = exc.problem
    return {
        "active": "me",
        "record": record,
        "item_name": _item_name(session, record),
        "conditions": _conditions(request),
        "not_yet": not_yet,
        "possible_on": possible_on,
        "ways": service.WAYS,
        "requires_commitment": request.app.state.profile.repair.requires_commitment.value,
        "company": not disclosure.is_person(subjects.get(session, record.subject_key)),
        "max_mb": MAX_FILE_BYTES // (1024 * 1024),
        "max_files": MAX_FILES,
        "today": ctx.today,
        "form": {},
    }


@router.get("/me/repair/new", response_class=HTMLResponse)
def new_page(
    request: Request, session: DB, actor: Filer, record: Annotated[int, Query(ge=1, le=2**62)]
) -> HTMLResponse:
    """The record, the profile's conditions, the day the application becomes possible, and the form."""
    return render(request, "repair_new.html", _form_context(request, session, actor, record))


@router.post("/me/repair", response_model=None)
async def file_form(request: Request, session: DB, form: Form, actor: Filer) -> Response:
    try:
        record_id = int(str(form.get("record", "")))
    except ValueError:
        raise XinyongError("repair.record", "请选择要修复的信用记录", field="record") from None
    page = _form_context(request, session, actor, record_id)
    received = tuple(await uploads(form.getlist("files")))
    fields = ("correction", "commitment", "corrected_on", "reorganization_ruling", "reorganization_on")
    values = {k: str(form.get(k, ""))[: service.MAX_TEXT] for k in fields}
    chosen = tuple(str(w)[:32] for w in form.getlist("ways"))[:10]
    case = attempt(
        session,
        lambda: service.file(
            session,
            context(request, actor),
            subject_key=actor.subject_key or "",
            application=service.Application(
                record_id=record_id,
                correction=values["correction"],
                corrected_on=parse_date(values["corrected_on"], "纠正日期"),
                ways=chosen,
                commitment=values["commitment"],
                reorganization_ruling=values["reorganization_ruling"],
                reorganization_on=parse_date(values["reorganization_on"], "重整裁定日期")
                if values["reorganization_on"]
                else None,
                files=received,
            ),
            data_dir=request.app.state.settings.data_dir.resolve(),
        ),
    )
    if isinstance(case, XinyongError):
        possible_on = case.possible_on if isinstance(case, service.NotYet) else None
        page.update(problem=case.problem, refused_on=possible_on, form={**values, "ways": chosen})
        return render(request, "repair_new.html", page, case.status)
    return RedirectResponse(f"/me/repair/{case.number}", status_code=303)


@router.get("/me/repair/{number}", response_class=HTMLResponse)
def case_page(request: Request, session: DB, number: str, actor: Filer) -> HTMLResponse:
    case = _own_case(session, actor, number[:32])
    return render(request, "repair_me.html", {"active": "me", **_case_context(request, session, case)})


@router.get("/me/repair/{number}/decision", response_model=None)
def decision_pdf(request: Request, session: DB, number: str, actor: Filer) -> Response:
    return decision_response(request, session, _own_case(session, actor, number[:32]))


@router.get("/me/repair/{number}/files/{file_id}", response_model=None)
def own_file(request: Request, session: DB, number: str, file_id: int, actor: Filer) -> Response:
    return _file(request, session, _own_case(session, actor, number[:32]), file_id)


@router.get("/admin/repair/{number}/files/{file_id}", response_model=None)
def handled_file(request: Request, session: DB, number: str, file_id: int, actor: Reader) -> Response:
    return _file(request, session, _visible(session, actor, number[:32]), file_id)


def _file(request: Request, session: Session, case: RepairCase, file_id: int) -> Response:
    """One of the application's evidence files, for the applicant and for those who handle the case."""
    kept = next((f for f in service.files_of(session, case.id) if f.id == file_id), None)
    if kept is None:
        raise NotFound("repair.file_not_found", f"信用修复申请 {case.number} 没有该证明材料")
    content = service.evidence_file(request.app.state.settings.data_dir.resolve(), kept)
    return download(content, media_type=kept.media_type, filename=kept.filename)


# ------------------------------------------------------------------------------------------- public
def _publicity(request: Request, session: Session, extra: dict[str, Any], status: int = 200) -> HTMLResponse:
    masking = request.app.state.profile.masking
    rows = service.notices(session, today=_today(request), masking=masking)
    page = {"active": "lists", "rows": rows, "today": _today(request), **extra}
    return render(request, "repair_publicity.html", page, status)


@router.get("/repair-publicity", response_class=HTMLResponse)
def publicity_page(
    request: Request, session: DB, actor: Anyone, sent: Annotated[str, Query(max_length=32)] = ""
) -> HTMLResponse:
    """Favourable repair opinions in their publicity; anyone may object (REP-3)."""
    return _publicity(request, session, {"sent": sent})


@router.post("/repair-publicity/{number}/objections", response_model=None)
def object_form(request: Request, session: DB, form: Form, number: str, actor: Anyone) -> Response:
    text, contact = str(form.get("text", ""))[: service.MAX_TEXT], str(form.get("contact", ""))[:200]
    ctx = context(request, actor)
    refused = attempt(
        session, lambda: service.object_to(session, ctx, number=number[:32], text=text, contact=contact)
    )
    if isinstance(refused, XinyongError):
        extra = {
            "problem": refused.problem,
            "failed": number[:32],
            "form": {"text": text, "contact": contact},
        }
        return _publicity(request, session, extra, refused.status)
    return RedirectResponse(f"/repair-publicity?sent={number[:32]}", status_code=303)


# ------------------------------------------------------------------------------------------- provider
def _visible(session: Session, actor: Actor, number: str) -> RepairCase:
    case = service.get(session, number)
    if "case.handle" in actor.permissions or (actor.org_code is not None and actor.org_code == case.provider):
        return case
    raise NotFound("repair.not_found", f"信用修复申请 {number} 不存在")


@router.get("/admin/repair", response_class=HTMLResponse)
def queue_page(
    request: Request, session: DB, actor: Reader, status: Annotated[str, Query(max_length=16)] = ""
) -> HTMLResponse:
    provider = None if "case.handle" in actor.permissions else actor.org_code or ""
    cases = service.queue(session, provider=provider)
    if status in service.STATUS_LABELS:
        cases = [c for c in cases if c.status == status]
    due = deadlines.next_due(session, service.KIND, [c.number for c in cases])
    rows = [(c, due.get(c.number)) for c in cases]
    rows.sort(key=lambda row: (row[0].status not in service.OPEN, row[1] is None, row[1] or date.max))
    return render(
        request,
        "repair_queue.html",
        {
            "active": "admin",
            "rows": rows,
            "status": status,
            "statuses": service.STATUS_LABELS,
            "today": _today(request),
        },
    )


@router.get("/admin/repair/{number}", response_class=HTMLResponse)
def handle_page(request: Request, session: DB, number: str, actor: Reader) -> HTMLResponse:
    return _handling(request, session, actor, number[:32])


def _handling(
    request: Request, session: Session, actor: Actor, number: str, refused: XinyongError | None = None
) -> HTMLResponse:
    """The case for whoever handles it; a refused form comes back with the reason above it."""
    case = _visible(session, actor, number)
    return render(
        request,
        "repair_admin.html",
        {
            "active": "admin",
            "can": actor.permissions,
            "is_provider": case.provider == actor.org_code,
            "problem": refused.problem if refused else None,
            **_case_context(request, session, case),
        },
        refused.status if refused else 200,
    )


def _act(
    request: Request, session: Session, actor: Actor, number: str, action: Callable[[], object]
) -> Response:
    """Do a handling step; back to the case page when done, the same page with the reason when refused."""
    return act(
        session,
        action,
        done=f"/admin/repair/{number}",
        refused=lambda problem: _handling(request, session, actor, number, problem),
    )


@router.post("/admin/repair/{number}/opinion")
def opinion_form(
    request: Request,
    session: DB,
    form: Form,
    number: str,
    actor: Annotated[Actor, Depends(Permission("case.reply"))],
) -> Response:
    agrees, ctx = str(form.get("agrees", "")), context(request, actor)

    def opinion() -> object:
        if agrees not in ("yes", "no"):
            raise XinyongError("repair.agrees", "请选择同意或不同意修复", field="agrees")
        return service.give_opinion(
            session,
            ctx,
            number=number[:32],
            org_code=actor.org_code,
            agrees=agrees == "yes",
            text=str(form.get("text", ""))[: service.MAX_TEXT],
        )

    return _act(request, session, actor, number[:32], opinion)


@router.post("/admin/repair/{number}/verification")
def verify_form(
    request: Request,
    session: DB,
    form: Form,
    number: str,
    actor: Annotated[Actor, Depends(Permission("case.reply"))],
) -> Response:
    upheld, ctx = str(form.get("upheld", "")), context(request, actor)

    def verified() -> object:
        if upheld not in ("yes", "no"):
            raise XinyongError("repair.upheld", "请选择异议成立或不成立", field="upheld")
        return service.verify_objections(
            session,
            ctx,
            number=number[:32],
            org_code=actor.org_code,
            upheld=upheld == "yes",
            finding=str(form.get("finding", ""))[: service.MAX_TEXT],
        )

    return _act(request, session, actor, number[:32], verified)


@router.post("/admin/repair/{number}/refusal")
def refuse_form(
    request: Request,
    session: DB,
    form: Form,
    number: str,
    actor: Annotated[Actor, Depends(Permission("case.handle"))],
) -> Response:
    ctx, reasons = context(request, actor), str(form.get("reasons", ""))[: service.MAX_TEXT]
    return _act(
        request,
        session,
        actor,
        number[:32],
        lambda: service.refuse(session, ctx, number=number[:32], reasons=reasons),
    )


@router.post("/admin/repair/{number}/interviews")
def interview_form(
    request: Request,
    session: DB,
    form: Form,
    number: str,
    actor: Annotated[Actor, Depends(Permission("case.reply"))],
) -> Response:
    """An interview on the case's record (REP-5); only the record's provider can record it."""
    case, ctx = _visible(session, actor, number[:32]), context(request, actor)
    return _act(
        request,
        session,
        actor,
        number[:32],
        lambda: service.record_interview(
            session,
            ctx,
            record_id=case.record_id,
            org_code=actor.org_code,
            kind=str(form.get("kind", ""))[:16],
            held_on=parse_date(str(form.get("held_on", "")), "约谈日期"),
            department=str(form.get("department", ""))[:200],
            content=str(form.get("content", ""))[: service.MAX_TEXT],
            outcome=str(form.get("outcome", ""))[: service.MAX_TEXT],
        ),
    )
