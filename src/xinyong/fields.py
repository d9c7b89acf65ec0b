"""Pydantic field types shared by settings and API parameters, so both refuse bad input as the CLI does."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BeforeValidator, ValidationInfo, WithJsonSchema
from pydantic_core import PydanticCustomError

from xinyong.errors import XinyongError
from xinyong.rules.dates import parse_date


def _iso_date(value: object, info: ValidationInfo) -> object:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return parse_date(str(value), info.field_name or "date")
    except XinyongError as exc:
        raise PydanticCustomError(exc.code, exc.message) from exc


IsoDate = Annotated[date, BeforeValidator(_iso_date), WithJsonSchema({"type": "string", "format": "date"})]
