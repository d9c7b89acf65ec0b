"""The work queue of case steps as JSON: open objection, revocation and repair steps by due date, overdue
first (OBJ-3, REV-1, REP-3). The operator sees every organisation's steps; a provider its own."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel

from xinyong.access.actors import Actor
from xinyong.access.deps import DB, Permission
from xinyong.deadlines import service
from xinyong.deadlines.models import Deadline
from xinyong.workdays import working_calendar

router = APIRouter(tags=["cases"])


class DeadlineOut(BaseModel):
    kind: str
    case: str
    step: str
    label: str
    basis: str
    subject: str
    org: str
    started_on: date
    days: int
    due_on: date
    paused_since: date | None
    state: service.StandingState
    working_days: int  # left before the due date, or late by
    page: str

    @classmethod
    def of(cls, deadline: Deadline, standing: service.Standing) -> DeadlineOut:
        return cls(
            kind=deadline.kind,
            case=deadline.case_number,
            step=deadline.step,
            label=deadline.label,
            basis=deadline.basis,
            subject=deadline.subject_key,
            org=deadline.org_code,
            started_on=deadline.started_on,
            days=deadline.days,
            due_on=deadline.due_on,
            paused_since=deadline.paused_since,
            state=standing.state,
            working_days=standing.working_days,
            page=f"{service.CASE_PAGES[deadline.kind]}/{deadline.case_number}",
        )


@router.get(
    "/deadlines",
    response_model=list[DeadlineOut],
    summary="待办案件环节（异议、撤销变更、信用修复），超期的在前，其余按到期日",
)
def open_deadlines(
    request: Request,
    session: DB,
    actor: Annotated[Actor, Depends(Permission("case.read"))],
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[DeadlineOut]:
    settings = request.app.state.settings
    today = settings.clock.today()
    calendar = working_calendar(settings.data_dir.resolve())
    org = service.scope(actor.org_kind, actor.org_code)
    return [
        DeadlineOut.of(d, service.Standing.of(d, calendar, today))
        for d in service.queue(session, as_of=today, org_code=org, limit=limit)
    ]
