"""De-identification (脱敏) of natural persons' data shown publicly (DATA-3).

Every function keeps the value's length and replaces characters with ``*`` in place. A value too short to
keep the configured characters and still hide one is masked entirely, so a setting is an upper bound on
what is revealed, never a promise of what is shown. Masking a masked value gives the same value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

from xinyong.profiles.schema import Masking

MASK = "*"

_Text = TypeVar("_Text", str, None)  # str in, str out; None in, None out


def _mask(value: _Text, keep_start: int, keep_end: int) -> _Text:
    if value is None:
        return None
    start, end = max(keep_start, 0), max(keep_end, 0)
    if len(value) <= start + end:
        return MASK * len(value)
    return value[:start] + MASK * (len(value) - start - end) + value[len(value) - end :]


def mask_name(name: _Text, keep_start: int) -> _Text:
    """张三 -> 张*, 欧阳娜娜 -> 欧***: the first ``keep_start`` characters stay; 1 character is hidden."""
    return _mask(name, keep_start, 0)


def mask_citizen_id(code: _Text, keep_start: int, keep_end: int) -> _Text:
    """110105194912310021 with 6/4 -> 110105********0021: region and last digits stay, the birth date goes."""
    return _mask(code, keep_start, keep_end)


def mask_phone(phone: _Text, keep_start: int, keep_end: int) -> _Text:
    """13812345678 with 3/4 -> 138****5678."""
    return _mask(phone, keep_start, keep_end)


def mask_address(text: _Text, keep_start: int) -> _Text:
    """Keeps the beginning (province, city, district), hides the rest."""
    return _mask(text, keep_start, 0)


def _maskers(masking: Masking) -> dict[str, Callable[[str | None], str | None]]:
    return {
        "name": lambda v: mask_name(v, masking.name_keep_start.value),
        "citizen_id": lambda v: mask_citizen_id(
            v, masking.citizen_id_keep_start.value, masking.citizen_id_keep_end.value
        ),
        "phone": lambda v: mask_phone(v, masking.phone_keep_start.value, masking.phone_keep_end.value),
        "address": lambda v: mask_address(v, masking.address_keep_start.value),
    }


def mask_person(fields: Mapping[str, str | None], masking: Masking) -> dict[str, str | None]:
    """Mask a person's fields by name (name, citizen_id, phone, address); other fields pass unchanged."""
    maskers = _maskers(masking)
    return {key: maskers[key](value) if key in maskers else value for key, value in fields.items()}
