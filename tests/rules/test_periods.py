"""Public periods of negative records (PER-1, PER-2, PER-4) under the national rule and local profiles."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xinyong.profiles.loader import load_profile
from xinyong.profiles.schema import SEVERITIES, Severity, Span
from xinyong.rules.periods import add_span, public_period

NATIONAL = load_profile("national").publicity
JIANGSU = load_profile("jiangsu").publicity
JINAN = load_profile("jinan").publicity


@pytest.mark.req("PER-4")
def test_order_36_serious_three_years_at_most_repair_after_one_year() -> None:
    period = public_period(NATIONAL, severity="serious", decision_date=date(2026, 4, 10))
    assert period.published
    assert period.last_public_day == date(2029, 4, 10)
    assert period.earliest_repair == date(2027, 4, 11)
    assert "第36号" in period.end_basis


@pytest.mark.req("PER-4")
def test_order_36_general_one_year_at_most_repair_after_three_months() -> None:
    period = public_period(NATIONAL, severity="general", decision_date=date(2026, 4, 10))
    assert period.last_public_day == date(2027, 4, 10)
    assert period.earliest_repair == date(2026, 7, 11)


@pytest.mark.req("PER-4")
def test_order_36_minor_is_not_published_in_principle() -> None:
    period = public_period(NATIONAL, severity="minor", decision_date=date(2026, 5, 6))
    assert not period.published
    assert not period.is_public_on(date(2026, 5, 6))


@pytest.mark.req("PER-4")
def test_a_decision_before_2026_04_01_keeps_order_58() -> None:
    # Decided the day before order 36 took effect: order 58, 3 years at most, 3 months at least.
    period = public_period(NATIONAL, severity="general", decision_date=date(2026, 3, 31))
    assert period.last_public_day == date(2029, 3, 31)
    assert period.earliest_repair == date(2026, 7, 1)
    assert "第58号" in period.end_basis


@pytest.mark.req("PER-4")
def test_order_58_food_drug_safety_fire_need_one_year_before_repair() -> None:
    food = public_period(NATIONAL, severity="general", decision_date=date(2025, 6, 1), domain="food")
    other = public_period(NATIONAL, severity="general", decision_date=date(2025, 6, 1), domain="transport")
    assert food.earliest_repair == date(2026, 6, 2)
    assert other.earliest_repair == date(2025, 9, 2)
    assert food.last_public_day == other.last_public_day == date(2028, 6, 1)


@pytest.mark.req("PER-4")
def test_a_decision_under_document_527_keeps_its_periods() -> None:
    period = public_period(NATIONAL, severity="serious", decision_date=date(2021, 3, 15))
    assert period.earliest_repair == date(2021, 9, 16)
    assert period.last_public_day == date(2024, 3, 15)


@pytest.mark.req("PER-1")
def test_a_leap_day_decision_ends_on_the_last_day_of_february() -> None:
    # 民法典 第二百零三条: no corresponding day, the month's last day ends the period.
    period = public_period(NATIONAL, severity="serious", decision_date=date(2024, 2, 29))
    assert period.last_public_day == date(2027, 2, 28)


@pytest.mark.req("PER-1")
def test_month_end_decisions_clamp_the_minimum() -> None:
    period = public_period(NATIONAL, severity="general", decision_date=date(2026, 11, 30))
    assert period.earliest_repair == date(2027, 3, 1)  # 3 months end on 2027-02-28
    assert period.last_public_day == date(2027, 11, 30)


@pytest.mark.req("PER-1")
def test_jiangsu_general_one_year_from_determination() -> None:
    # Decided 2025-06-01 under order 58 (3 years); JS-P 30 ends general dishonesty after 1 year.
    period = public_period(
        JIANGSU, severity="general", decision_date=date(2025, 6, 1), determination_date=date(2025, 6, 1)
    )
    assert period.last_public_day == date(2026, 6, 1)
    assert "JS-P" in period.end_basis
    serious = public_period(
        JIANGSU, severity="serious", decision_date=date(2025, 6, 1), determination_date=date(2025, 6, 1)
    )
    assert serious.last_public_day == date(2028, 6, 1)


@pytest.mark.req("PER-1")
def test_jinan_five_years_from_the_end_of_the_behaviour() -> None:
    # Behaviour ended 2020-01-15, decided 2024-03-01 (order 58 would allow until 2027-03-01).
    period = public_period(
        JINAN, severity="serious", decision_date=date(2024, 3, 1), behaviour_end=date(2020, 1, 15)
    )
    assert period.last_public_day == date(2025, 1, 15)
    assert "JN" in period.end_basis
    assert period.is_public_on(date(2025, 1, 15)) and not period.is_public_on(date(2025, 1, 16))


@pytest.mark.req("PER-2")
def test_jinan_behaviour_ended_more_than_five_years_before_the_decision_is_never_published() -> None:
    period = public_period(
        JINAN, severity="serious", decision_date=date(2024, 3, 1), behaviour_end=date(2018, 1, 1)
    )
    assert not period.published


@pytest.mark.req("PER-1")
def test_jinan_without_a_behaviour_end_counts_from_the_decision_and_says_so() -> None:
    period = public_period(JINAN, severity="serious", decision_date=date(2026, 5, 1))
    assert period.last_public_day == date(2029, 5, 1)
    assert any("未提供失信行为终止之日" in line for line in period.basis)


@pytest.mark.req("PER-1")
def test_a_shorter_catalog_item_period_wins() -> None:
    period = public_period(
        NATIONAL, severity="serious", decision_date=date(2026, 5, 1), item_max=Span(years=2)
    )
    assert period.last_public_day == date(2028, 5, 1)
    assert "目录项" in period.end_basis


@pytest.mark.req("PER-2")
def test_a_record_leaves_public_view_the_day_after_its_last_public_day() -> None:
    period = public_period(NATIONAL, severity="general", decision_date=date(2026, 4, 10))
    assert not period.is_public_on(date(2026, 4, 9))
    assert period.is_public_on(date(2026, 4, 10))
    assert period.is_public_on(date(2027, 4, 10))
    assert not period.is_public_on(date(2027, 4, 11))


@pytest.mark.req("PER-4")
@given(st.dates(date(2019, 7, 1), date(2035, 12, 31)), st.sampled_from(SEVERITIES))
def test_national_periods_stay_within_their_minimum_and_maximum(decision: date, severity: Severity) -> None:
    period = public_period(NATIONAL, severity=severity, decision_date=decision)
    regime = max(
        (r for r in NATIONAL.regimes if r.effective_from <= decision), key=lambda r: r.effective_from
    )
    tier = regime.tiers[severity]
    assert period.last_public_day == add_span(decision, tier.max)
    assert period.earliest_repair is not None  # nationally the minimum always ends before the maximum
    assert decision <= period.earliest_repair <= period.last_public_day
    assert period.published == tier.published


@pytest.mark.req("PER-1")
def test_no_repair_window_when_a_local_period_ends_first() -> None:
    # Jiangsu, general, food, decided 2025-06-01 under order 58 (1 year minimum); JS-P 30 ends it 2026-06-01.
    period = public_period(JIANGSU, severity="general", decision_date=date(2025, 6, 1), domain="food")
    assert period.last_public_day == date(2026, 6, 1)
    assert period.earliest_repair is None


@pytest.mark.req("PER-1")
@given(
    st.sampled_from(["national", "jinan", "liaoning", "ct", "jiangsu"]),
    st.dates(date(2015, 1, 1), date(2035, 12, 31)),
    st.sampled_from(SEVERITIES),
    st.integers(0, 3000),
    st.sampled_from([None, "food", "transport"]),
)
def test_every_profile_gives_a_coherent_period(
    name: str, decision: date, severity: Severity, behaviour_days_before: int, domain: str | None
) -> None:
    publicity = load_profile(name).publicity
    behaviour_end = date.fromordinal(decision.toordinal() - behaviour_days_before)
    period = public_period(
        publicity,
        severity=severity,
        decision_date=decision,
        behaviour_end=behaviour_end,
        determination_date=decision,
        domain=domain,
    )
    national_end = public_period(NATIONAL, severity=severity, decision_date=decision).last_public_day
    assert period.last_public_day <= national_end  # a local rule only ever shortens publicity
    if period.earliest_repair is not None:
        assert decision <= period.earliest_repair <= period.last_public_day
    assert period.is_public_on(decision) == (period.published and period.last_public_day >= decision)
