"""Tip pages: anyone reports or complains (``/tips/new``), gets the number and follow-up code, and follows
it (``/tips/track``); departments and the operator work the queue (``/admin/tips``). The reporter's identity
shows only on the handling page, to the department the tip is routed to, when it asks, and is audited."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from xinyong.access import service as access
from xinyong.access.actors import Actor
from xinyong.access.csrf import Form
from xinyong.access.deps import DB, Permission, PublicAccess
from xinyong.deadlines import service as deadlines
from xinyong.errors import NotFound, XinyongError
from xinyong.evidence import MAX_FILE_BYTES, MAX_FILES
from xinyong.lists.api import context
from xinyong.tips import service
from xinyong.tips.api import answer_document, data_dir, file_tip, routes_all, track_tip, tracked
from xinyong.tips.categories import categories
from xinyong.tips.models import TipReporter
from xinyong.web.forms import act, attempt, download, uploads
from xinyong.web.render import render

router = APIRouter(include_in_schema=False)
Handler = Annotated[Actor, Depends(Permission("tip.handle"))]
FIELDS = ("kind", "category", "subject_name", "subject_code", "facts", "reporter_name", "reporter_contact")


# ------------------------------------------------------------------------------------------- the public
def _new(request: Request, form: dict[str, str], problem: XinyongError | None = None) -> HTMLResponse:
    page = {
        "active": "tips",
        "form": form,
        "kinds": service.KINDS,
        "categories": categories(data_dir(request)).values(),
        "max_mb": MAX_FILE_BYTES // (1024 * 1024),
        "max_files": MAX_FILES,
        "max_facts": service.MAX_FACTS,
        "problem": problem.problem if problem else None,
    }
    return render(request, "tip_new.html", page, problem.status if problem else 200)


@router.get("/tips/new", response_class=HTMLResponse)
def new_page(
    request: Request, actor: PublicAccess, subject: Annotated[str, Query(max_length=64)] = ""
) -> HTMLResponse:
    return _new(request, {"kind": "tip", "subject_code": subject})


@router.post("/tips", response_class=HTMLResponse)
async def file_form(request: Request, session: DB, form: Form, actor: PublicAccess) -> HTMLResponse:
    """A refusal comes back on the form with what was typed; success shows the number and code once."""
    typed = {name: str(form.get(name, ""))[: service.MAX_FACTS] for name in FIELDS}
    received = await uploads(form.getlist("evidence"))
    report = service.Report(**typed)
    filed = attempt(session, lambda: file_tip(request, session, actor, report, received))
    if isinstance(filed, XinyongError):
        return _new(request, typed, filed)
    tip = filed.tip
    page = {
        "active": "tips",
        "tip": tip,
        "code": filed.code,
        "kinds": service.KINDS,
        "category": categories(data_dir(request)).get(tip.category),
        "anonymous": not typed["reporter_name"].strip(),
    }
    return render(request, "tip_filed.html", page)


def _track(
    request: Request, number: str, found: Any = None, problem: XinyongError | None = None
) -> HTMLResponse:
    page = {
        "active": "tips",
        "number": number,
        "found": found,
        "problem": problem.problem if problem else None,
    }
    return render(request, "tip_track.html", page, problem.status if problem else 200)


@router.get("/tips/track", response_class=HTMLResponse)
def track_page(
    request: Request, actor: PublicAccess, number: Annotated[str, Query(max_length=40)] = ""
) -> HTMLResponse:
    return _track(request, number)


@router.post("/tips/track", response_class=HTMLResponse)
def track_form(request: Request, session: DB, form: Form, actor: PublicAccess) -> HTMLResponse:
    number, code = str(form.get("number", ""))[:40], str(form.get("code", ""))[:64]
    try:
        found = track_tip(request, session, number, code)
    except XinyongError as exc:
        return _track(request, number, problem=exc)
    return _track(request, found.number, {"tip": tracked(session, found), "code": code})


@router.post("/tips/track/document", response_model=None)
def track_document(request: Request, session: DB, form: Form, actor: PublicAccess) -> Response:
    found = track_tip(request, session, str(form.get("number", ""))[:40], str(form.get("code", ""))[:64])
    return answer_document(request, session, found)


# ------------------------------------------------------------------------------------------- handling
@router.get("/admin/tips", response_class=HTMLResponse)
def queue_page(
    request: Request, session: DB, actor: Handler, status: Annotated[str, Query(max_length=16)] = ""
) -> HTMLResponse:
    today = request.app.state.settings.clock.today()
    tips = service.queue(
        session,
        today=today,
        org_code=None if routes_all(actor) else actor.org_code or "",
        status=status if status in service.STATUS_LABELS else None,
    )
    due = deadlines.next_due(session, service.KIND, [t.number for t in tips])
    page = {
        "active": "admin",
        "rows": [(t, due.get(t.number)) for t in tips],
        "status": status,
        "statuses": service.STATUS_LABELS,
        "kinds": service.KINDS,
        "categories": categories(data_dir(request)),
        "today": today,
        "everyone": routes_all(actor),
    }
    return render(request, "tip_queue.html", page)


def _handling(
    request: Request,
    session: Session,
    actor: Actor,
    number: str,
    *,
    refused: XinyongError | None = None,
    reporter: TipReporter | None = None,
) -> HTMLResponse:
    """The tip for whoever handles it; a refused form comes back with the reason above it."""
    found = service.visible_to(session, number=number, org_code=actor.org_code, routes_all=routes_all(actor))
    page = {
        "active": "admin",
        "case": found,
        "today": request.app.state.settings.clock.today(),
        "kinds": service.KINDS,
        "statuses": service.STATUS_LABELS,
        "step_labels": service.STEP_LABELS,
        "category": categories(data_dir(request)).get(found.category),
        "steps": service.steps_of(session, found.id),
        "dues": deadlines.of_case(session, service.KIND, found.number),
        "files": service.files_of(session, found.id),
        "handles": found.org_code == actor.org_code,
        "routes": routes_all(actor),
        "orgs": [o for o in access.list_orgs(session) if o.code != found.org_code],
        "reporter": reporter,
        "max_mb": MAX_FILE_BYTES // (1024 * 1024),
        "problem": refused.problem if refused else None,
    }
    return render(request, "tip_admin.html", page, refused.status if refused else 200)


@router.get("/admin/tips/{number}", response_class=HTMLResponse)
def handle_page(request: Request, session: DB, number: str, actor: Handler) -> HTMLResponse:
    return _handling(request, session, actor, number[:32])


@router.post("/admin/tips/{number}/reporter", response_class=HTMLResponse)
def reporter_form(request: Request, session: DB, form: Form, number: str, actor: Handler) -> HTMLResponse:
    """The handling page with the reporter shown: asked for on purpose, and audited."""
    kept = service.reporter(session, context(request, actor), number=number[:32], org_code=actor.org_code)
    return _handling(request, session, actor, number[:32], reporter=kept)


@router.get("/admin/tips/{number}/files/{file_id}", response_model=None)
def tip_file(request: Request, session: DB, number: str, file_id: int, actor: Handler) -> Response:
    found = service.visible_to(
        session, number=number[:32], org_code=actor.org_code, routes_all=routes_all(actor)
    )
    kept = next((f for f in service.files_of(session, found.id) if f.id == file_id), None)
    if kept is None:
        raise NotFound("tip.file_not_found", f"举报投诉 {found.number} 没有该文件")
    content = service.file_content(data_dir(request), found, kept)
    return download(content, media_type=kept.media_type, filename=kept.filename)


def _act(request: Request, session: Session, actor: Actor, number: str, action: Any) -> Response:
    return act(
        session,
        action,
        done=f"/admin/tips/{number}",
        refused=lambda problem: _handling(request, session, actor, number, refused=problem),
    )


@router.post("/admin/tips/{number}/routing")
def route_form(
    request: Request,
    session: DB,
    form: Form,
    number: str,
    actor: Annotated[Actor, Depends(Permission("tip.route"))],
) -> Response:
    ctx, org, text = context(request, actor), str(form.get("org", ""))[:64], str(form.get("text", ""))[:4000]
    return _act(
        request,
        session,
        actor,
        number[:32],
        lambda: service.reroute(session, ctx, number=number[:32], org=org, text=text),
    )


@router.post("/admin/tips/{number}/acceptance")
def accept_form(request: Request, session: DB, form: Form, number: str, actor: Handler) -> Response:
    ctx = context(request, actor)
    return _act(
        request,
        session,
        actor,
        number[:32],
        lambda: service.accept(session, ctx, number=number[:32], org_code=actor.org_code),
    )


@router.post("/admin/tips/{number}/refusal")
def refuse_form(request: Request, session: DB, form: Form, number: str, actor: Handler) -> Response:
    ctx, text = context(request, actor), str(form.get("text", ""))[:4000]
    return _act(
        request,
        session,
        actor,
        number[:32],
        lambda: service.refuse(session, ctx, number=number[:32], org_code=actor.org_code, text=text),
    )


@router.post("/admin/tips/{number}/answer")
async def answer_form(request: Request, session: DB, form: Form, number: str, actor: Handler) -> Response:
    ctx, text = context(request, actor), str(form.get("text", ""))[:4000]
    received = await uploads(form.getlist("document"))
    return _act(
        request,
        session,
        actor,
        number[:32],
        lambda: service.answer(
            session,
            ctx,
            data_dir=data_dir(request),
            number=number[:32],
            org_code=actor.org_code,
            text=text,
            document=received,
        ),
    )
