"""Reference API: the working-day calendar and the jurisdiction profile in force."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from xinyong.access.deps import PublicAccess
from xinyong.fields import IsoDate, WholeNumber
from xinyong.profiles.schema import Profile
from xinyong.rules.calendar import MAX_DAYS, WorkingCalendar
from xinyong.web import deps
from xinyong.workdays import warn_unknown_years

router = APIRouter(tags=["reference"])


class WorkingDaysOut(BaseModel):
    start: date
    days: int
    date: date
    estimated: bool
    estimated_years: list[int]


class DayOut(BaseModel):
    date: date
    working: bool
    reason: str
    estimated: bool


@router.get("/calendar/working-days", response_model=WorkingDaysOut, summary="第N个工作日")
def working_days(
    _: PublicAccess,
    calendar: Annotated[WorkingCalendar, Depends(deps.calendar)],
    start: Annotated[IsoDate, Query(description="起算日（当日不计入）")],
    days: Annotated[
        WholeNumber, Query(description="工作日数", json_schema_extra={"minimum": 0, "maximum": MAX_DAYS})
    ],
) -> WorkingDaysOut:
    """The ``days``-th working day after ``start``; ``estimated`` when a year's holidays are unknown."""
    result = calendar.add_working_days(start, days)
    warn_unknown_years(result.estimated_years)
    return WorkingDaysOut(
        start=start,
        days=days,
        date=result.value,
        estimated=result.estimated,
        estimated_years=list(result.estimated_years),
    )


@router.get("/calendar/days/{day}", response_model=DayOut, summary="是否工作日")
def calendar_day(
    _: PublicAccess, calendar: Annotated[WorkingCalendar, Depends(deps.calendar)], day: IsoDate
) -> DayOut:
    info = calendar.day(day)
    warn_unknown_years([day.year] if info.estimated else [])
    return DayOut(date=info.day, working=info.working, reason=info.reason, estimated=info.estimated)


@router.get("/profile", summary="当前辖区配置（含每项设置的出处）")
def current_profile(_: PublicAccess, profile: Annotated[Profile, Depends(deps.profile)]) -> dict[str, Any]:
    return profile.model_dump(mode="json")
