"""Reading dates and day counts typed by people (CLI arguments, portal forms) with clear errors."""

from __future__ import annotations

from datetime import date

from xinyong.errors import XinyongError


def parse_date(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise XinyongError(
            "date.invalid", f"{field}：“{text}”不是有效日期，应为 YYYY-MM-DD，如 2026-04-01", field=field
        ) from exc


def parse_int(text: str, field: str) -> int:
    try:
        return int(text.strip())
    except ValueError as exc:
        raise XinyongError("number.invalid", f"{field}：“{text}”不是整数", field=field) from exc
