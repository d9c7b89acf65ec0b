"""Text normalisation for search: a query and a stored name compare equal however they were typed (DIS-2)."""

from __future__ import annotations

import unicodedata
from functools import cache
from typing import Any

import opencc


@cache
def _t2s() -> Any:
    """One converter per process, made on first use: loading the dictionaries is slow."""
    return opencc.OpenCC("t2s")


def normalise(text: str) -> str:
    """NFKC (full-width → half-width), traditional → simplified, case-folded, whitespace collapsed.

    Runs of whitespace (U+3000 included) become one space rather than none, so Latin words stay apart
    ("Apple Inc"); leading and trailing whitespace go.
    """
    result = unicodedata.normalize("NFKC", text)
    result = str(_t2s().convert(result))
    result = unicodedata.normalize("NFKC", result.casefold())
    return " ".join(result.split())
