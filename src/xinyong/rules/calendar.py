"""Chinese working days (PROF-2): weekends, statutory holidays and adjusted working days (调休上班).

Deadlines in the regulations count working days from the day after the triggering event
(自收到之日起N个工作日内), so ``add_working_days(d, n)`` is the n-th working day after ``d``.
A year that neither chinesecalendar nor an override table knows is counted by weekends only, and the
result says so (``estimated_years``) instead of failing: a deadline is still needed, and the operator
is told to add the year's schedule.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Generic, TypeVar

import chinese_calendar

from xinyong.errors import XinyongError

ONE_DAY = timedelta(days=1)
# A guard against requests that would loop for years of days, not a legal period.
MAX_DAYS = 3650


Pause = tuple[date, date]
T = TypeVar("T", date, int)


@dataclass(frozen=True)
class YearSchedule:
    """One year's official schedule: holidays and adjusted working days, and the notice it is from."""

    year: int
    source: str
    holidays: Mapping[date, str]
    workdays: Mapping[date, str]


@dataclass(frozen=True)
class DayInfo:
    day: date
    working: bool
    reason: str
    estimated: bool


@dataclass(frozen=True)
class CountResult(Generic[T]):
    """A computed date or count, and the years it had to count by weekends only."""

    value: T
    estimated_years: tuple[int, ...] = ()

    @property
    def estimated(self) -> bool:
        return bool(self.estimated_years)


def _chinese_name(english: str) -> str:
    try:
        return str(chinese_calendar.Holiday(english).chinese)
    except ValueError:
        return english


def _library_schedules() -> dict[int, YearSchedule]:
    years: dict[int, dict[str, dict[date, str]]] = {}
    for kind, table in (("holidays", chinese_calendar.holidays), ("workdays", chinese_calendar.workdays)):
        for day, name in table.items():
            years.setdefault(day.year, {"holidays": {}, "workdays": {}})[kind][day] = _chinese_name(name)
    return {
        year: YearSchedule(year, "chinesecalendar", tables["holidays"], tables["workdays"])
        for year, tables in years.items()
    }


@dataclass(frozen=True)
class WorkingCalendar:
    """The official calendar, with override schedules that replace or add whole years."""

    schedules: Mapping[int, YearSchedule] = field(default_factory=_library_schedules)

    @classmethod
    def with_overrides(cls, overrides: Iterable[YearSchedule]) -> WorkingCalendar:
        schedules = _library_schedules()
        schedules.update({s.year: s for s in overrides})
        return cls(schedules)

    def known_years(self) -> list[int]:
        return sorted(self.schedules)

    def day(self, day: date) -> DayInfo:
        schedule = self.schedules.get(day.year)
        weekend = day.weekday() >= 5
        ordinary = "周末" if weekend else "普通工作日"
        if schedule is None:
            return DayInfo(day, not weekend, f"{ordinary}（{day.year}年节假日安排未知，仅按周末计算）", True)
        if day in schedule.holidays:
            return DayInfo(day, False, f"法定节假日：{schedule.holidays[day]}", False)
        if day in schedule.workdays:
            return DayInfo(day, True, f"调休上班：{schedule.workdays[day]}", False)
        return DayInfo(day, not weekend, ordinary, False)

    def add_working_days(self, start: date, days: int, pauses: Sequence[Pause] = ()) -> CountResult[date]:
        """The ``days``-th working day after ``start``, not counting days inside ``pauses`` (OBJ-4)."""
        if days < 0:
            raise XinyongError("calendar.negative_days", f"工作日数不能为负数（{days}）", field="days")
        if days > MAX_DAYS:
            raise XinyongError(
                "calendar.too_many_days", f"工作日数不能超过 {MAX_DAYS}（{days}）", field="days"
            )
        estimated: set[int] = set()
        walk = self._walk(start, pauses, estimated)
        current, counted = start, 0
        while counted < days:
            current, counts = next(walk)
            counted += counts
        return CountResult(current, tuple(sorted(estimated)))

    def working_days_between(self, start: date, end: date, pauses: Sequence[Pause] = ()) -> CountResult[int]:
        """Working days after ``start`` up to and including ``end``; negative when ``end`` is earlier."""
        if end < start:
            result = self.working_days_between(end, start, pauses)
            return CountResult(-result.value, result.estimated_years)
        if (end - start).days > MAX_DAYS * 2:
            raise XinyongError(
                "calendar.too_many_days", f"起止日期相隔不能超过 {MAX_DAYS * 2} 天", field="end"
            )
        estimated: set[int] = set()
        walk = self._walk(start, pauses, estimated)
        current, count = start, 0
        while current < end:
            current, counts = next(walk)
            count += counts
        return CountResult(count, tuple(sorted(estimated)))

    def _walk(self, start: date, pauses: Sequence[Pause], estimated: set[int]) -> Iterator[tuple[date, bool]]:
        """The days after ``start``, each with whether it counts; notes the years counted by weekends only."""
        current = start
        while True:
            current = _next_day(current)
            info = self.day(current)
            if info.estimated:
                estimated.add(current.year)
            yield current, info.working and not _paused(current, pauses)


def _next_day(day: date) -> date:
    try:
        return day + ONE_DAY
    except OverflowError as exc:
        raise XinyongError("calendar.out_of_range", "日期超出可计算范围（最晚 9999-12-31）") from exc


def _paused(day: date, pauses: Sequence[Pause]) -> bool:
    return any(first <= day <= last for first, last in pauses)
