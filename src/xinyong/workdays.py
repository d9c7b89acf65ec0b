"""The working-day calendar the platform runs on: chinesecalendar plus the holiday override tables.

The shipped table (``data/holidays.toml``) comes with a release; the deployment's own
(``$XINYONG_DATA_DIR/holidays.toml``) lets an operator add a newly published year without one. A table is
checked strictly: a wrong date type or a day listed as both holiday and working day would silently give
wrong deadlines, so it stops the platform instead.
"""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from xinyong.errors import XinyongError, explain
from xinyong.rules.calendar import WorkingCalendar, YearSchedule

SHIPPED_TABLE = Path(__file__).parent / "data" / "holidays.toml"
log = logging.getLogger("xinyong.calendar")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class _Day(_Strict):
    date: date
    name: str = Field(min_length=1)


class _Year(_Strict):
    year: int = Field(ge=2000, le=2200)
    source: str = Field(min_length=1)
    holidays: list[_Day] = Field(min_length=1)
    workdays: list[_Day] = []

    @model_validator(mode="after")
    def _consistent(self) -> _Year:
        days = [d.date for d in (*self.holidays, *self.workdays)]
        stray = sorted({d for d in days if d.year != self.year})
        if stray:
            raise ValueError(f"{self.year} 年的安排中出现其他年份的日期：{'、'.join(map(str, stray))}")
        twice = sorted({d for d in days if days.count(d) > 1})
        if twice:
            raise ValueError(f"日期重复或同时列为节假日和上班日：{'、'.join(map(str, twice))}")
        return self


class _Table(_Strict):
    year: list[_Year] = []


def read_table(path: Path) -> list[YearSchedule]:
    try:
        with path.open("rb") as fh:
            table = _Table.model_validate(tomllib.load(fh))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise XinyongError("calendar.override_invalid", f"{path}：不是有效的 UTF-8 TOML 文件：{exc}") from exc
    except OSError as exc:
        raise XinyongError("calendar.override_invalid", f"{path}：无法读取（{exc.strerror}）") from exc
    except ValidationError as exc:
        problems = "；".join(_where(error["loc"]) + explain(error) for error in exc.errors())
        raise XinyongError("calendar.override_invalid", f"{path}：节假日补充表有误：{problems}") from exc
    return [
        YearSchedule(
            entry.year,
            entry.source,
            {d.date: d.name for d in entry.holidays},
            {d.date: d.name for d in entry.workdays},
        )
        for entry in table.year
    ]


def _where(loc: tuple[int | str, ...]) -> str:
    """``("year", 0, "holidays", 2, "date")`` -> ``第1个 [[year]] 的 holidays 第3项 date：``"""
    parts: list[str] = []
    for key, following in zip(loc, (*loc[1:], None), strict=True):
        if isinstance(key, int):
            continue
        if isinstance(following, int):
            parts.append(f"第{following + 1}个 [[year]]" if key == "year" else f"{key} 第{following + 1}项")
        else:
            parts.append(key)
    return " 的 ".join(parts) + "："


def table_paths(data_dir: Path) -> list[Path]:
    local = data_dir / "holidays.toml"
    return [SHIPPED_TABLE, *([local] if local.is_file() else [])]


@lru_cache(maxsize=4)
def working_calendar(data_dir: Path) -> WorkingCalendar:
    """Later tables win: a deployment's schedule for a year replaces the shipped one."""
    schedules = [s for path in table_paths(data_dir) for s in read_table(path)]
    return WorkingCalendar.with_overrides(schedules)


def warn_unknown_years(years: Iterable[int]) -> None:
    """The log line an operator needs when a deadline was counted by weekends only."""
    unknown = sorted(set(years))
    if unknown:
        log.warning(
            "%s 年节假日安排未知，工作日仅按周末计算；请在 holidays.toml 中补充该年安排",
            "、".join(map(str, unknown)),
        )
