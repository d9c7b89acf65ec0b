"""The working-day calendar the platform runs on: chinesecalendar plus the holiday override tables.

The shipped table (``data/holidays.toml``) comes with a release; the deployment's own
(``$XINYONG_DATA_DIR/holidays.toml``) lets an operator add a newly published year without one.
"""

from __future__ import annotations

import logging
import tomllib
from functools import lru_cache
from pathlib import Path

from xinyong.errors import XinyongError
from xinyong.rules.calendar import CountResult, T, WorkingCalendar, YearSchedule, parse_schedules

SHIPPED_TABLE = Path(__file__).parent / "data" / "holidays.toml"
log = logging.getLogger("xinyong.calendar")


def read_table(path: Path) -> list[YearSchedule]:
    try:
        with path.open("rb") as fh:
            document = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise XinyongError("calendar.override_invalid", f"{path}：TOML 语法错误：{exc}") from exc
    return parse_schedules(document, origin=str(path))


def table_paths(data_dir: Path) -> list[Path]:
    local = data_dir / "holidays.toml"
    return [SHIPPED_TABLE, *([local] if local.is_file() else [])]


@lru_cache(maxsize=4)
def working_calendar(data_dir: Path) -> WorkingCalendar:
    """Later tables win: a deployment's schedule for a year replaces the shipped one."""
    schedules = [s for path in table_paths(data_dir) for s in read_table(path)]
    return WorkingCalendar.with_overrides(schedules)


def warn_if_estimated(result: CountResult[T]) -> CountResult[T]:
    if result.estimated:
        years = "、".join(str(y) for y in result.estimated_years)
        log.warning("%s 年节假日安排未知，工作日仅按周末计算；请在 holidays.toml 中补充该年安排", years)
    return result
