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
