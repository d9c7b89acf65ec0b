"""Search normalisation: width, script, case and whitespace do not matter."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xinyong.rules.text import normalise


def test_traditional_becomes_simplified() -> None:
    assert normalise("臺灣積體電路製造股份有限公司") == "台湾积体电路制造股份有限公司"


def test_full_width_and_ideographic_space() -> None:
    # Inner whitespace collapses to one space, so Latin words stay apart.
    assert normalise("ＡＢＣ　公司") == "abc 公司"
    assert normalise("  Apple \t\n Inc\u3000") == "apple inc"


def test_full_width_parentheses_become_ascii() -> None:
    assert normalise("腾讯科技（深圳）有限公司") == "腾讯科技(深圳)有限公司"


def test_empty_and_blank() -> None:
    assert normalise("") == ""
    assert normalise(" \u3000\t") == ""


@pytest.mark.req("DIS-2")
def test_traditional_query_finds_the_simplified_stored_name() -> None:
    assert normalise("臺灣積體電路製造股份有限公司") == normalise("台湾积体电路制造股份有限公司")
    assert normalise("臺積電(南京)有限公司") == normalise("台积电（南京）有限公司")


@given(st.text())
def test_idempotent(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once


@given(st.text())
def test_no_surrounding_or_doubled_whitespace(text: str) -> None:
    result = normalise(text)
    assert result == result.strip()
    assert "  " not in result
    assert all(not ch.isspace() or ch == " " for ch in result)


def test_chained_conversion_reaches_a_fixed_point() -> None:
    # OpenCC's t2s maps 薴 to 苧 and 苧 to 苎; one pass would not be idempotent.
    assert normalise("薴") == normalise("苧") == "苎"
