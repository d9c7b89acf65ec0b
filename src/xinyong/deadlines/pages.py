"""The handling organisations' dashboard: every open objection, revocation and repair step by due date,
overdue first, with the article its deadline comes from (OBJ-3, REV-1, REP-3)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from xinyong.access.actors import Actor
from xinyong.access.deps import DB, Permission
from xinyong.deadlines import service
from xinyong.web.render import render
from xinyong.workdays import working_calendar

router = APIRouter(include_in_schema=False)


@router.get("/admin/cases", response_class=HTMLResponse)
def cases_page(
    request: Request, session: DB, actor: Annotated[Actor, Depends(Permission("case.read"))]
) -> HTMLResponse:
    settings = request.app.state.settings
    today = settings.clock.today()
    calendar = working_calendar(settings.data_dir.resolve())
    steps = service.queue(session, as_of=today, org_code=service.scope(actor.org_kind, actor.org_code))
    rows = [(d, service.Standing.of(d, calendar, today)) for d in steps]
    return render(
        request,
        "cases.html",
        {
            "active": "cases",
            "actor": actor,
            "today": today,
            "rows": rows,
            "overdue": sum(1 for _, s in rows if s.state == "overdue"),
            "kinds": service.KIND_LABELS,
            "pages": service.CASE_PAGES,
            "everyone": actor.org_kind == "operator",
        },
    )
