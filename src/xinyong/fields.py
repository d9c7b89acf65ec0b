"""Pydantic field types shared by settings and API parameters, so both refuse bad input as the CLI does."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, ValidationInfo, WithJsonSchema
from pydantic_core import PydanticCustomError

from xinyong.clock import in_beijing
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

# A moment in an API answer: always with its offset (RFC 3339), as the OpenAPI "date-time" format requires.
Moment = Annotated[datetime, AfterValidator(in_beijing)]


def _whole(value: object) -> object:
    """A whole number written as digits: pydantic alone reads "0.0" or "3.0" as an integer."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d{1,9}", value.strip()):
        return int(value.strip())
    raise PydanticCustomError("int_parsing", "应为整数")  # the same error a plain int gives


WholeNumber = Annotated[int, BeforeValidator(_whole), WithJsonSchema({"type": "integer"})]
