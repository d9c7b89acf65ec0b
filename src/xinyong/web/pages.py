"""Portal pages (server-rendered, Chinese): home, the two public tools and the rules in force."""

from __future__ import annotations

from datetime import timedelta
from itertools import groupby
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from xinyong.clock import Clock
from xinyong.errors import XinyongError
from xinyong.profiles.describe import describe
from xinyong.profiles.schema import Profile
from xinyong.rules import identifiers
from xinyong.rules.calendar import WorkingCalendar
from xinyong.rules.dates import parse_date, parse_int
from xinyong.rules.identifiers import ID_TYPE_LABELS, SEX_LABELS
from xinyong.web import deps
from xinyong.web.render import render
from xinyong.workdays import warn_unknown_years

router = APIRouter(include_in_schema=False)

MAX_LISTED_DAYS = 60


@router.get("/", response_class=HTMLResponse)
def home(
    request: Request,
    clock: Annotated[Clock, Depends(deps.clock)],
    calendar: Annotated[WorkingCalendar, Depends(deps.calendar)],
) -> HTMLResponse:
    today = clock.today()
    return render(request, "home.html", {"active": "home", "today": today, "today_info": calendar.day(today)})


@router.get("/tools/id-check", response_class=HTMLResponse)
def id_check(
    request: Request, clock: Annotated[Clock, Depends(deps.clock)], code: str = "", kind: str = ""
) -> HTMLResponse:
    context: dict[str, Any] = {
        "active": "id",
        "code": code,
        "kind": kind,
        "kinds": [(k.value, label) for k, label in ID_TYPE_LABELS.items()],
    }
    if not code.strip():
        return render(request, "id_check.html", context)
    try:
        identifier = identifiers.validate(code, kind or None, today=clock.today())
    except XinyongError as exc:
        return render(request, "id_check.html", {**context, "problem": exc.problem}, 422)
    details = []
    if identifier.birth_date:
        details.append(("出生日期", identifier.birth_date.isoformat()))
    if identifier.sex:
        details.append(("性别", SEX_LABELS[identifier.sex]))
    if identifier.region:
        details.append(("地区代码", identifier.region))
    return render(request, "id_check.html", {**context, "identifier": identifier, "details": details})


@router.get("/tools/working-days", response_class=HTMLResponse)
def working_days(
    request: Request,
    clock: Annotated[Clock, Depends(deps.clock)],
    calendar: Annotated[WorkingCalendar, Depends(deps.calendar)],
    start: str = "",
    days: str = "",
) -> HTMLResponse:
    context: dict[str, Any] = {"active": "days", "today": clock.today(), "start": start, "days": days}
    if not start and not days:
        return render(request, "working_days.html", context)
    try:
        first = parse_date(start, "起算日")
        count = parse_int(days, "工作日数")
        result = calendar.add_working_days(first, count)
    except XinyongError as exc:
        return render(request, "working_days.html", {**context, "problem": exc.problem}, 422)
    warn_unknown_years(result.estimated_years)
    span = (result.value - first).days
    listed = span <= MAX_LISTED_DAYS
    steps = [calendar.day(first + timedelta(days=i)) for i in range(1, span + 1)] if listed else []
    return render(
        request,
        "working_days.html",
        {
            **context,
            "result": result.value,
            "estimated_years": result.estimated_years,
            "steps": steps,
        },
    )


@router.get("/rules", response_class=HTMLResponse)
def rules(request: Request, profile: Annotated[Profile, Depends(deps.profile)]) -> HTMLResponse:
    sections = [(name, list(rows)) for name, rows in groupby(describe(profile), key=lambda r: r.section)]
    return render(request, "rules.html", {"active": "rules", "sections": sections})
