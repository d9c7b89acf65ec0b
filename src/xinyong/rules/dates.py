"""Reading dates and day counts typed by people, one way everywhere (CLI, pages, API, settings)."""

from __future__ import annotations

import re
from datetime import date

from xinyong.errors import XinyongError

# Only YYYY-MM-DD: Python also reads 20260930 and 2026-W40-3, pydantic reads 0 as 1970-01-01.
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_date(text: str, field: str) -> date:
    value = text.strip()
    try:
        if _ISO_DATE.match(value):
            return date.fromisoformat(value)
    except ValueError:
        pass
    raise XinyongError(
        "date.invalid", f"{field}：“{text}”不是有效日期，应为 YYYY-MM-DD，如 2026-04-01", field=field
    )


def parse_int(text: str, field: str) -> int:
    try:
        return int(text.strip())
    except ValueError as exc:
        raise XinyongError("number.invalid", f"{field}：“{text}”不是整数", field=field) from exc


EARLIEST_FILE_DATE = date(1900, 1, 1)
"""Excel counts days from 1900; an earlier date in a department's file is a typing error (0001-01-01)."""
_LOOSE_DATE = re.compile(r"^(\d{4})(?:[-/.年](\d{1,2})[-/.月](\d{1,2})日?|(\d{2})(\d{2}))$")


def parse_file_date(text: str, field: str) -> date:
    """A date as departments' files write it: 2026-02-03, 2026/2/3, 2026.02.03, 20260203 or 2026年2月3日.

    A calendar date that does not exist (2026-02-30) is refused, never rolled over; so is one before 1900.
    """
    value = text.strip()
    match = _LOOSE_DATE.match(value)
    if match:
        year, month, day = match.group(1), match.group(2) or match.group(4), match.group(3) or match.group(5)
        try:
            found = date(int(year), int(month), int(day))
        except ValueError:
            pass
        else:
            if found >= EARLIEST_FILE_DATE:
                return found
            raise XinyongError(
                "date.out_of_range", f"{field}：{value} 早于 1900-01-01，应是录入错误", field=field
            )
    raise XinyongError(
        "date.invalid", f"{field}：“{text[:40]}”不是有效日期，应为 YYYY-MM-DD，如 2026-04-01", field=field
    )
