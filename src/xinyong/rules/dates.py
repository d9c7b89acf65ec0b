"""Reading dates and day counts typed by people (CLI arguments, portal forms) with clear errors."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from pydantic import BeforeValidator, WithJsonSchema

from xinyong.errors import XinyongError


def parse_date(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise XinyongError(
            "date.invalid", f"{field}：“{text}”不是有效日期，应为 YYYY-MM-DD，如 2026-04-01", field=field
        ) from exc


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_date(value: object) -> object:
    """Only ``YYYY-MM-DD``: pydantic alone would read ``0`` as 1970-01-01 (a Unix timestamp)."""
    if isinstance(value, str):
        if not _ISO_DATE.match(value.strip()):
            raise ValueError(f"“{value}”不是有效日期，应为 YYYY-MM-DD")
        try:
            return date.fromisoformat(value.strip())
        except ValueError as exc:
            raise ValueError(f"“{value}”不是有效日期，应为 YYYY-MM-DD") from exc
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date), WithJsonSchema({"type": "string", "format": "date"})]


def parse_int(text: str, field: str) -> int:
    try:
        return int(text.strip())
    except ValueError as exc:
        raise XinyongError("number.invalid", f"{field}：“{text}”不是整数", field=field) from exc
