"""Pages of the record procedures: the operator's revocation queue and case page (REV-1), and the subject's
deletion of its own positive information from ``/me`` (REP-7)."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from xinyong.access import service as access
from xinyong.access.actors import Actor
from xinyong.access.csrf import Form
from xinyong.access.deps import DB, Permission, request_id
from xinyong.access.service import audit_actor
from xinyong.audit import service as audit
from xinyong.catalog import service as catalog
from xinyong.deadlines import service as deadlines
from xinyong.disclosure.service import STATE_LABELS
from xinyong.errors import NotFound
from xinyong.records import deletion, revocation, service
from xinyong.records.case_api import apply, requester
from xinyong.web.render import render

router = APIRouter(include_in_schema=False)


@router.get("/admin/revocations", response_class=HTMLResponse)
def queue_page(
    request: Request, session: DB, actor: Annotated[Actor, Depends(Permission("case.read"))]
) -> HTMLResponse:
    provider = None if "case.handle" in actor.permissions else actor.org_code or ""
    return render(
        request,
        "revocations.html",
        {
            "active": "admin",
            "cases": revocation.cases(session, provider=provider),
            "kinds": revocation.KINDS,
            "statuses": revocation.STATUS_LABELS,
        },
    )


@router.get("/admin/revocations/{number}", response_class=HTMLResponse)
def case_page(
    request: Request, session: DB, number: str, actor: Annotated[Actor, Depends(Permission("case.read"))]
) -> HTMLResponse:
    found = revocation.get(session, number)
    if "case.handle" not in actor.permissions and found.provider != actor.org_code:
        raise NotFound("revocation.not_found", f"撤销变更案件 {found.number} 不存在")
    record = service.get(session, found.record_id)
    item = catalog.item_in_force(session, record.item_code, request.app.state.settings.clock.today()).item
    # Handling the case shows the record in full: a read the subject sees in its access log (SEC-3, DIS-6).
    audit.record(
        session,
        at=request.app.state.settings.clock.now(),
        actor=audit_actor(actor),
        action="record.read",
        target_type="record",
        target_id=str(record.id),
        subject_key=record.subject_key,
        purpose="revocation_handling",
        request_id=request_id(request),
        detail={"mode": "case", "item": record.item_code, "case": found.number},
    )
    labels = {f.name: f.label for f in item.fields}
    return render(
        request,
        "revocation.html",
        {
            "active": "admin",
            "case": found,
            "provider": access.get_org(session, found.provider).name,
            "record": record,
            "state_label": STATE_LABELS.get(record.state, record.state),
            "item": item,
            "data": json.loads(record.data),
            "changes": [(labels.get(k, k), v) for k, v in json.loads(found.changes).items()],
            "labels": labels,
            "kinds": revocation.KINDS,
            "statuses": revocation.STATUS_LABELS,
            "deadlines": deadlines.of_case(session, revocation.KIND, found.number),
            "versions": service.versions_of(session, record.id),
            "can_apply": "case.handle" in actor.permissions and found.status == "pending",
        },
    )


@router.post("/admin/revocations/{number}/apply")
def apply_form(
    request: Request,
    session: DB,
    form: Form,
    number: str,
    actor: Annotated[Actor, Depends(Permission("case.handle"))],
) -> Response:
    found = apply(request, session, actor, number)
    return RedirectResponse(f"/admin/revocations/{found.number}", status_code=303)


@router.post("/me/records/{record_id}/deletion")
def deletion_form(
    request: Request,
    session: DB,
    form: Form,
    record_id: int,
    actor: Annotated[Actor, Depends(Permission("case.file"))],
) -> Response:
    """The subject deletes one of its positive records from its own page."""
    clock = request.app.state.settings.clock
    deletion.delete_positive(
        session,
        record_id=record_id,
        subject_key=requester(actor, None),
        reason=str(form.get("reason", ""))[:500],
        actor=audit_actor(actor),
        today=clock.today(),
        now=clock.now(),
    )
    return RedirectResponse("/me#records", status_code=303)
