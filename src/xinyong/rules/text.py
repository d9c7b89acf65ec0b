"""Text normalisation for search: a query and a stored name compare equal however they were typed (DIS-2)."""

from __future__ import annotations

import unicodedata
from functools import cache
from typing import Any

import opencc

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
