"""Text normalisation for search: a query and a stored name compare equal however they were typed (DIS-2)."""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import Any

import opencc

from xinyong.errors import XinyongError

_MAX_ROUNDS = 4


@cache
def _t2s() -> Any:
    """One converter per process, made on first use: loading the dictionaries is slow."""
    return opencc.OpenCC("t2s")


def _once(text: str) -> str:
    result = unicodedata.normalize("NFKC", text)
    result = str(_t2s().convert(result))
    result = unicodedata.normalize("NFKC", result.casefold())
    return " ".join(result.split())


def normalise(text: str) -> str:
    """NFKC (full-width → half-width), traditional → simplified, case-folded, whitespace collapsed.

    Runs of whitespace (U+3000 included) become one space rather than none, so Latin words stay apart
    ("Apple Inc"); leading and trailing whitespace go. The steps repeat until nothing changes (at most a
    few rounds) because OpenCC's t2s is not idempotent: 薴 → 苧 → 苎.
    """
    result = _once(text)
    for _ in range(_MAX_ROUNDS):
        again = _once(result)
        if again == result:
            break
        result = again
    return result


# C0 and C1 controls, DEL and lone surrogates; tabs and line breaks separately, as free text may hold them.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_BREAKS = re.compile("[\t\n\r]")


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(text: str) -> str:
    """Refused input quoted back (in a reject or an answer) as a database and UTF-8 can carry it: NUL
    (PostgreSQL refuses it) and lone surrogates become U+FFFD; the refusal already says they were there."""
    return _UNSTORABLE.sub("\ufffd", text)


def has_controls(text: str) -> bool:
    """Control characters (NUL above all, which PostgreSQL refuses in any parameter) never belong in a
    query, a code or a name."""
    return bool(_CONTROL.search(text) or _BREAKS.search(text))


def plain(text: str, *, field: str, max_length: int, label: str, multiline: bool = False) -> str:
    """A name or short text as people type it: trimmed, within ``max_length``, no control characters.

    Control characters (NUL above all, which PostgreSQL refuses outright) never belong in a name, and a
    length past the column is refused here with a message rather than by the database with a fault.
    Free text (``multiline``) may keep tabs and line breaks.
    """
    value = text.strip()
    if _CONTROL.search(value) or (not multiline and _BREAKS.search(value)):
        raise XinyongError("text.control_character", f"{label}含有不可见的控制字符", field=field)
    if len(value) > max_length:
        raise XinyongError(
            "text.too_long", f"{label}不能超过 {max_length} 个字符（实际 {len(value)} 个）", field=field
        )
    return value
