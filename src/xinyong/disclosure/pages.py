"""Portal pages: search and a subject's public credit information, free and without login (DIS-2, PUB-2).

A signed-in department or the subject itself sees more on the same page: what the gate lets through for
the actor (shared items with a stated purpose, authorized items, or everything of one's own).
"""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from xinyong.access import service as access
from xinyong.access.actors import Actor
from xinyong.access.csrf import Form
from xinyong.access.deps import DB, CreditReader, Permission
from xinyong.access.gate import Gate, Info
from xinyong.access.policy import Policy
from xinyong.access.service import audit_actor
from xinyong.catalog import service as catalog
from xinyong.catalog.schema import CATEGORY_LABELS
from xinyong.disclosure import reports, service
from xinyong.errors import NotFound
from xinyong.lists import shown as lists_shown
from xinyong.lists.service import list_types, public_entries
from xinyong.records.service import versions_by_record
from xinyong.rules.dates import parse_date
from xinyong.rules.periods import add_span
from xinyong.subjects import service as subjects
from xinyong.web.render import render

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 20
CATEGORY_ORDER = ("basic", "negative", "positive", "other")
CATEGORY_TITLES = {
    "basic": "行政许可与基础信息",
    "negative": "行政处罚与失信信息",
    "positive": "表彰奖励与守信信息",
    "other": "信用承诺与其他信息",
}
MODE_NOTES = {
    "public": "公开信息",
    "shared": "政务共享",
    "authorized": "经授权查询",
    "self": "本人查询",
}


def _page(value: int | None) -> int:
    return max(1, min(value or 1, 10_000))


@router.get("/search", response_model=None)
def search_page(
    request: Request,
    session: DB,
    q: Annotated[str, Query(max_length=1000)] = "",
    page: Annotated[int | None, Query(ge=1, le=10_000)] = None,
) -> Response:
    number = _page(page)
    found = subjects.search(session, q, offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    if found.exact is not None:  # a code names one subject: go there, never echoing a person's number
        return RedirectResponse(f"/subjects/{found.exact.key}", status_code=303)
    pages = (found.total + PAGE_SIZE - 1) // PAGE_SIZE
    if not found.subjects and number > pages > 0:  # a page past the end: the last one, not "nothing found"
        return RedirectResponse(f"/search?q={quote(q)}&page={pages}", status_code=303)
    masking = request.app.state.profile.masking
    rows = [
        {
            "href": f"/subjects/{s.key}",
            "name": service.shown_name(s, masking),
            "code": service.shown_key(s, masking),
            "kind": s.kind,
        }
        for s in found.subjects
    ]
    return render(
        request,
        "search.html",
        {
            "active": "home",
            "q": q[:100],
            "rows": rows,
            "total": found.total,
            "page": number,
            "pages": pages,
            "too_long": len(q) > subjects.MAX_QUERY,
            # The count stops there: say so rather than pass the cap off as the number of matches.
            "at_least": found.total >= subjects.MAX_FOUND,
            "most": subjects.MAX_FOUND,
        },
    )


@router.get("/subjects/{code}", response_class=HTMLResponse)
def subject_page(
    request: Request,
    session: DB,
    code: str,
    gate: Annotated[Gate, Depends(CreditReader("public.read"))],
    category: Annotated[str | None, Query(max_length=16)] = None,
    page: Annotated[int | None, Query(ge=1, le=10_000)] = None,
) -> HTMLResponse:
    subject = subjects.find(session, code[:64])
    if subject is None:
        raise NotFound("subject.not_found", "没有该代码的信用主体，请核对代码或按名称查找")
    masking = request.app.state.profile.masking
    shown = service.visible_records(
        session,
        gate,
        subject,
        masking=masking,
        marked_shown=service.marked_shown(request.app.state.profile),
        now=request.app.state.settings.clock.now(),
        authorizations=service.authorizations_for(session, subject.key, gate.actor),
    )
    counts: Counter[str] = Counter(s.item.category for s in shown)
    chosen = (
        category if category in CATEGORY_ORDER else next((c for c in CATEGORY_ORDER if counts[c]), "basic")
    )
    listed = [s for s in shown if s.item.category == chosen]
    number = _page(page)
    pages = max(1, (len(listed) + PAGE_SIZE - 1) // PAGE_SIZE)
    own = gate.actor.subject_key == subject.key
    public_only = all(s.decision.mode == "public" for s in shown) and not own
    types = list_types(request.app.state.settings.data_dir.resolve())
    listed_now = public_entries(session, subject.key, gate.today)
    orgs = lists_shown.org_names(session, listed_now)
    return render(
        request,
        "subject.html",
        {
            "active": "home",
            "subject": subject,
            "name": subject.name if not public_only else service.shown_name(subject, masking),
            "code": subject.key if not public_only else service.shown_key(subject, masking),
            "tabs": [(c, CATEGORY_TITLES[c], counts[c]) for c in CATEGORY_ORDER],
            "chosen": chosen,
            "records": listed[(number - 1) * PAGE_SIZE : number * PAGE_SIZE],
            "page": number,
            "pages": pages,
            "mode_notes": MODE_NOTES,
            "categories": CATEGORY_LABELS,
            "today": gate.today,
            "purpose": gate.purpose,
            "signed_in": gate.actor.signed_in,
            "list_entries": [
                {
                    "type": lists_shown.type_name(types, e.list_type),
                    "kind": e.kind,
                    "kind_label": lists_shown.kind_label(e),
                    "org": orgs[e.determining_org],
                    "since": e.entered_on,
                    "term": lists_shown.term_text(e),
                }
                for e in listed_now
            ],
        },
    )


# ------------------------------------------------------------------------------- the subject's own archive


def own_archive(request: Request, session: Session, gate: Gate) -> dict[str, Any]:
    """The signed-in subject's whole archive for its page (DIS-6): every record, public or not, with its
    source and every version, its list entries with their procedure, and the authorizations it has given."""
    key = gate.actor.subject_key or ""
    subject = subjects.find(session, key)
    masking = request.app.state.profile.masking
    now = request.app.state.settings.clock.now()
    marked = service.marked_shown(request.app.state.profile)
    shown = (
        service.visible_records(session, gate, subject, masking=masking, marked_shown=marked, now=now)
        if subject
        else []
    )
    policy: Policy = request.app.state.policy
    versions = versions_by_record(session, [s.record.id for s in shown])
    gate.check(
        Info(subject_key=key, grade="subject_only", item="list-entries"),
        action="archive.read",
        target_type="subject",
        target_id=key,
    )
    return {
        **lists_shown.own_view(
            session, key, list_types(request.app.state.settings.data_dir.resolve()), gate.today
        ),
        "records": [(s, versions.get(s.record.id, [])) for s in shown],
        "grants": service.grants_of(session, key),
        "grant_purposes": [(code, p.label) for code, p in policy.purposes.items()],
        "grant_items": [(f.item.code, f.item.name) for f in catalog.items_in_force(session, gate.today)],
        "grant_orgs": [(o.code, o.name) for o in access.list_orgs(session) if o.kind != "operator"],
        "grant_until": add_span(gate.today, request.app.state.profile.disclosure.authorization_max.value),
        "report_domains": [(code, d.label) for code, d in reports.domains().items()],
        "today": gate.today,
    }


@router.post("/me/authorizations")
def grant_form(
    request: Request,
    session: DB,
    form: Form,
    actor: Annotated[Actor, Depends(Permission("authorization.manage"))],
) -> Response:
    """A subject authorizes an organisation from its own page (DIS-4); the API only lists them."""
    state = request.app.state  # a refusal shows the error page, and the request's session rolls back
    service.grant(
        session,
        subject_key=service.granting_subject(actor),
        grantee_org=str(form.get("grantee", ""))[:64],
        items=[str(v)[:64] for v in form.getlist("items")][:50],
        purpose=str(form.get("purpose", ""))[:64],
        valid_until=parse_date(str(form.get("valid_until", "")), "授权截止日期"),
        policy=state.policy,
        profile=state.profile,
        actor=audit_actor(actor),
        now=state.settings.clock.now(),
        today=state.settings.clock.today(),
    )
    return RedirectResponse("/me#authorizations", status_code=303)


@router.post("/me/authorizations/{number}/revoke")
def revoke_form(
    request: Request,
    session: DB,
    form: Form,
    number: str,
    actor: Annotated[Actor, Depends(Permission("authorization.manage"))],
) -> Response:
    service.revoke(
        session,
        subject_key=service.granting_subject(actor),
        number=number[:32],
        actor=audit_actor(actor),
        now=request.app.state.settings.clock.now(),
    )
    return RedirectResponse("/me#authorizations", status_code=303)


# ---------------------------------------------------------------------------------------------- verification


def _verify_page(
    request: Request, session: Session, number: str, code: str, content: bytes | None
) -> HTMLResponse:
    row = reports.find(session, key=request.app.state.secret_key, number=number, code=code) if code else None
    context: dict[str, Any] = {"active": "home", "number": number[:32], "code": code[:32], "report": None}
    if row is not None:
        subject = subjects.find(session, row.subject_key)
        masking = request.app.state.profile.masking
        context.update(
            report=row,
            title=row.title,
            subject_name=service.shown_name(subject, masking) if subject else "",
            matches=None if content is None else reports.matches(row, content),
        )
    status = 200 if row is not None or not code else 404
    return render(request, "verify.html", context, status)


@router.get("/verify/{number}", response_class=HTMLResponse)
def verify_page(
    request: Request, session: DB, number: str, code: Annotated[str, Query(max_length=32)] = ""
) -> HTMLResponse:
    return _verify_page(request, session, number, code, None)


@router.post("/verify/{number}", response_class=HTMLResponse)
def verify_file(request: Request, session: DB, number: str, form: Form) -> HTMLResponse:
    upload = form.get("file")
    content = upload.file.read(reports.MAX_FILE) if isinstance(upload, UploadFile) else b""
    return _verify_page(request, session, number, str(form.get("code", ""))[:32], content)
