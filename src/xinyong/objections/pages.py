"""Objection pages: the subject files from its archive and follows its case (``/me/objections``); the operator
and the provider work the queue, overdue first, and the case (``/admin/objections``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from xinyong.access.actors import Actor
from xinyong.access.csrf import Form
from xinyong.access.deps import DB, CreditReader, Permission
from xinyong.access.gate import Gate
from xinyong.deadlines import service as deadlines
from xinyong.disclosure.pages import own_archive
from xinyong.errors import Forbidden, NotFound, XinyongError
from xinyong.evaluation import service as evaluation
from xinyong.evidence import MAX_FILE_BYTES, MAX_FILES
from xinyong.lists.api import context
from xinyong.objections import documents, service
from xinyong.objections.api import data_dir, decide, own_case
from xinyong.objections.models import Objection
from xinyong.objections.schemas import DecideIn
from xinyong.rules.dates import parse_date
from xinyong.web.forms import act, attempt, download, uploads
from xinyong.web.render import render

router = APIRouter(include_in_schema=False)
Filer = Annotated[Actor, Depends(Permission("case.file"))]
Reader = Annotated[Actor, Depends(Permission("case.read"))]


def _case_context(request: Request, session: Session, found: Objection) -> dict[str, Any]:
    today = request.app.state.settings.clock.today()
    return {
        "case": found,
        "today": today,
        "grounds": service.GROUNDS,
        "targets": service.TARGET_LABELS,
        "statuses": service.STATUS_LABELS,
        "step_labels": service.STEP_LABELS,
        "steps": service.steps_of(session, found.id),
        "dues": deadlines.of_case(session, service.KIND, found.number),
        "evidence": service.evidence_of(session, found.id),
        "stages": service.APPEAL_STAGES,
    }


# ------------------------------------------------------------------------------------------- subject
@router.get("/me/objections/new", response_class=HTMLResponse)
def new_page(
    request: Request,
    session: DB,
    gate: Annotated[Gate, Depends(CreditReader("self.read"))],
    record: Annotated[str, Query(max_length=32)] = "",
    entry: Annotated[str, Query(max_length=32)] = "",
    grade: Annotated[str, Query(max_length=32)] = "",
) -> HTMLResponse:
    """Choose the record, list entry or evaluation result from the subject's own archive, the grounds, a
    statement, files."""
    chosen = next(
        (f"{k}:{v}" for k, v in (("record", record), ("list_entry", entry), ("evaluation", grade)) if v), ""
    )
    return render(request, "objection_new.html", _new_context(request, session, gate, {"target": chosen}))


def _new_context(request: Request, session: Session, gate: Gate, form: dict[str, str]) -> dict[str, Any]:
    if gate.actor.subject_key is None or "case.file" not in gate.actor.permissions:
        raise Forbidden("objection.subject_only", "请以信用主体身份登录后提出异议")
    archive = own_archive(request, session, gate)
    targets = [
        (f"record:{s.record.id}", f"{s.item.name}（记录 {s.record.id}）") for s, _ in archive["records"]
    ]
    targets += [
        (f"list_entry:{e['entry'].number}", f"{e['type']}（{e['entry'].number}）")
        for e in archive["list_entries"]
        if e["entry"].status == "active"
    ]
    graded = evaluation.own_grade(session, gate, data_dir=data_dir(request))
    if graded is not None:
        targets.append(
            (
                f"evaluation:{graded['grade_id']}",
                f"公共信用综合评价 {graded['grade']} 级（{graded['as_of']} 评价）",
            )
        )
    return {
        "active": "me",
        "targets": targets,
        "chosen": form.get("target", ""),
        "form": form,
        "grounds": service.GROUNDS,
        "max_mb": MAX_FILE_BYTES // (1024 * 1024),
        "max_files": MAX_FILES,
    }


@router.post("/me/objections")
async def file_form(
    request: Request,
    session: DB,
    form: Form,
    gate: Annotated[Gate, Depends(CreditReader("self.read"))],
) -> Response:
    """File from the subject's own page; a refusal comes back on the form with what was typed."""
    typed = {name: str(form.get(name, ""))[:4000] for name in ("target", "grounds", "statement")}
    kind, _, ref = typed["target"].partition(":")
    received = await uploads(form.getlist("evidence"))
    ctx = context(request, gate.actor)
    found = attempt(
        session,
        lambda: service.file(
            session,
            ctx,
            data_dir=data_dir(request),
            subject_key=gate.actor.subject_key or "",
            target_kind=kind[:16],
            target_ref=ref[:64],
            grounds=typed["grounds"][:32],
            statement=typed["statement"],
            evidence=received,
        ),
    )
    if isinstance(found, XinyongError):
        page = {**_new_context(request, session, gate, typed), "problem": found.problem}
        return render(request, "objection_new.html", page, found.status)
    return RedirectResponse(f"/me/objections/{found.number}", status_code=303)


@router.get("/me/objections/{number}", response_class=HTMLResponse)
def case_page(request: Request, session: DB, number: str, actor: Filer) -> HTMLResponse:
    found = own_case(session, actor, number[:32])
    return render(request, "objection_me.html", {"active": "me", **_case_context(request, session, found)})


@router.get("/me/objections/{number}/reply", response_model=None)
def reply_pdf(request: Request, session: DB, number: str, actor: Filer) -> Response:
    found = own_case(session, actor, number[:32])
    pdf = documents.stored_reply(data_dir(request), found)
    return download(pdf, media_type="application/pdf", filename=f"{documents.TITLE}-{found.reply_number}.pdf")


@router.get("/me/objections/{number}/evidence/{evidence_id}", response_model=None)
def own_evidence(request: Request, session: DB, number: str, evidence_id: int, actor: Filer) -> Response:
    return _evidence(request, session, own_case(session, actor, number[:32]), evidence_id)


@router.get("/admin/objections/{number}/evidence/{evidence_id}", response_model=None)
def handled_evidence(request: Request, session: DB, number: str, evidence_id: int, actor: Reader) -> Response:
    handles = "case.handle" in actor.permissions
    found = service.visible_to(session, number=number[:32], org_code=actor.org_code, handles=handles)
    return _evidence(request, session, found, evidence_id)


def _evidence(request: Request, session: Session, found: Objection, evidence_id: int) -> Response:
    """One of the case's evidence files, for the applicant and for those who handle the case."""
    kept = next((e for e in service.evidence_of(session, found.id) if e.id == evidence_id), None)
    if kept is None:
        raise NotFound("objection.evidence_not_found", f"异议案件 {found.number} 没有该证据材料")
    content = service.evidence_file(data_dir(request), found, kept)
    return download(content, media_type=kept.media_type, filename=kept.filename)


@router.post("/me/objections/{number}/appeals")
def appeal_form(request: Request, session: DB, form: Form, number: str, actor: Filer) -> Response:
    found = own_case(session, actor, number[:32])
    service.appeal(
        session,
        context(request, actor),
        found=found,
        stage=str(form.get("stage", ""))[:16],
        on=parse_date(str(form.get("on", "")), "日期"),
        text=str(form.get("text", ""))[:2000],
        outcome=str(form.get("outcome", ""))[:200] or None,
    )
    return RedirectResponse(f"/me/objections/{found.number}", status_code=303)


# ------------------------------------------------------------------------------------------- operator
@router.get("/admin/objections", response_class=HTMLResponse)
def queue_page(
    request: Request, session: DB, actor: Reader, status: Annotated[str, Query(max_length=16)] = ""
) -> HTMLResponse:
    handles = "case.handle" in actor.permissions
    cases = service.queue(
        session,
        context(request, actor),
        org_code=None if handles else actor.org_code,
        status=status if status in service.STATUS_LABELS else None,
    )
    due = deadlines.next_due(session, service.KIND, [c.number for c in cases])
    rows = [(c, due.get(c.number)) for c in cases]
    return render(
        request,
        "objection_queue.html",
        {
            "active": "admin",
            "rows": rows,
            "status": status,
            "statuses": service.STATUS_LABELS,
            "targets": service.TARGET_LABELS,
            "grounds": service.GROUNDS,
            "today": request.app.state.settings.clock.today(),
        },
    )


@router.get("/admin/objections/{number}", response_class=HTMLResponse)
def handle_page(request: Request, session: DB, number: str, actor: Reader) -> HTMLResponse:
    return _handling(request, session, actor, number[:32])


def _handling(
    request: Request, session: Session, actor: Actor, number: str, refused: XinyongError | None = None
) -> HTMLResponse:
    """The case for whoever handles it; a refused form comes back with the reason above it."""
    handles = "case.handle" in actor.permissions
    found = service.visible_to(session, number=number, org_code=actor.org_code, handles=handles)
    return render(
        request,
        "objection_admin.html",
        {
            "active": "admin",
            "can": actor.permissions,
            "is_provider": found.provider_org == actor.org_code,
            "verifications": service.VERIFICATIONS,
            "outcomes": {k: service.OUTCOMES[k] for k in service.OUTCOMES_FOR[found.target_kind]},
            "pause_for": request.app.state.profile.objection.pause_for.value,
            "problem": refused.problem if refused else None,
            **_case_context(request, session, found),
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
        done=f"/admin/objections/{number}",
        refused=lambda problem: _handling(request, session, actor, number, problem),
    )


def _data(form: Any) -> dict[str, Any] | None:
    text = str(form.get("data", "")).strip()
    if not text:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise XinyongError(
            "objection.data", '更正内容应为 JSON 对象，如 {"fine_amount": "0.1"}', field="data"
        )
    return data


@router.post("/admin/objections/{number}/referral")
def refer_form(
    request: Request,
    session: DB,
    form: Form,
    number: str,
    actor: Annotated[Actor, Depends(Permission("case.handle"))],
) -> Response:
    text = str(form.get("text", ""))[:2000]
    ctx = context(request, actor)
    return _act(
        request,
        session,
        actor,
        number[:32],
        lambda: service.refer(session, ctx, number=number[:32], text=text),
    )


@router.post("/admin/objections/{number}/reply")
def reply_form(
    request: Request,
    session: DB,
    form: Form,
    number: str,
    actor: Annotated[Actor, Depends(Permission("case.reply"))],
) -> Response:
    ctx = context(request, actor)
    return _act(
        request,
        session,
        actor,
        number[:32],
        lambda: service.reply(
            session,
            ctx,
            number=number[:32],
            org_code=actor.org_code,
            verification=str(form.get("verification", ""))[:16],
            text=str(form.get("text", ""))[:4000],
            data=_data(form),
        ),
    )


@router.post("/admin/objections/{number}/decision")
def decide_form(
    request: Request,
    session: DB,
    form: Form,
    number: str,
    actor: Annotated[Actor, Depends(Permission("case.handle"))],
) -> Response:
    def decided() -> object:
        body = DecideIn(
            outcome=str(form.get("outcome", ""))[:16],
            text=str(form.get("text", ""))[:4000],
            own_error=form.get("own_error") == "yes",
            data=_data(form),
        )
        return decide(request, session, actor, number[:32], body)

    return _act(request, session, actor, number[:32], decided)


@router.post("/admin/objections/{number}/pause")
def pause_form(
    request: Request,
    session: DB,
    form: Form,
    number: str,
    actor: Annotated[Actor, Depends(Permission("case.handle"))],
) -> Response:
    ctx, reason = context(request, actor), str(form.get("reason", ""))[:32]
    return _act(
        request,
        session,
        actor,
        number[:32],
        lambda: service.pause(session, ctx, number=number[:32], reason=reason),
    )


@router.post("/admin/objections/{number}/resume")
def resume_form(
    request: Request,
    session: DB,
    form: Form,
    number: str,
    actor: Annotated[Actor, Depends(Permission("case.handle"))],
) -> Response:
    ctx = context(request, actor)
    return _act(
        request, session, actor, number[:32], lambda: service.resume(session, ctx, number=number[:32])
    )
