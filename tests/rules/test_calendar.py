"""Working days (PROF-2) against the official 2026 schedule (国办发明电〔2025〕7号)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xinyong.errors import XinyongError
from xinyong.rules.calendar import WorkingCalendar
from xinyong.workdays import read_table, working_calendar

pytestmark = pytest.mark.req("PROF-2")

CAL = WorkingCalendar()

# 国务院办公厅关于2026年部分节假日安排的通知 (国办发明电〔2025〕7号)
HOLIDAYS_2026 = [
    *(date(2026, 1, d) for d in (1, 2, 3)),  # 元旦
    *(date(2026, 2, d) for d in range(15, 24)),  # 春节 2月15日至23日
    *(date(2026, 4, d) for d in (4, 5, 6)),  # 清明节
    *(date(2026, 5, d) for d in range(1, 6)),  # 劳动节 5月1日至5日
    *(date(2026, 6, d) for d in (19, 20, 21)),  # 端午节
    *(date(2026, 9, d) for d in (25, 26, 27)),  # 中秋节
    *(date(2026, 10, d) for d in range(1, 8)),  # 国庆节 10月1日至7日
]
ADJUSTED_WORKDAYS_2026 = [
    date(2026, 1, 4),  # 周日上班
    date(2026, 2, 14),  # 周六上班
    date(2026, 2, 28),  # 周六上班
    date(2026, 5, 9),  # 周六上班
    date(2026, 9, 20),  # 周日上班
    date(2026, 10, 10),  # 周六上班
]


@pytest.mark.parametrize("day", HOLIDAYS_2026, ids=str)
def test_2026_statutory_holidays_are_not_working_days(day: date) -> None:
    info = CAL.day(day)
    assert not info.working and not info.estimated
    assert info.reason.startswith("法定节假日")


@pytest.mark.parametrize("day", ADJUSTED_WORKDAYS_2026, ids=str)
def test_2026_adjusted_weekend_days_are_working_days(day: date) -> None:
    assert day.weekday() >= 5
    info = CAL.day(day)
    assert info.working and info.reason.startswith("调休上班")


def test_2026_has_the_official_number_of_working_days() -> None:
    days = [date(2026, 1, 1) + timedelta(n) for n in range(365)]
    weekdays = sum(d.weekday() < 5 for d in days)
    holidays_on_weekdays = sum(d.weekday() < 5 for d in HOLIDAYS_2026)
    expected = weekdays - holidays_on_weekdays + len(ADJUSTED_WORKDAYS_2026)
    # 261 weekdays - 19 holidays falling on weekdays + 6 adjusted weekend days = 248.
    assert sum(CAL.day(d).working for d in days) == expected == 248


def test_three_working_days_across_national_day() -> None:
    # An objection received on 2026-09-30: Oct 1-7 are holidays, Oct 10 (Saturday) is a working day.
    result = CAL.add_working_days(date(2026, 9, 30), 3)
    assert result.value == date(2026, 10, 10) and not result.estimated


def test_seven_working_days_across_spring_festival() -> None:
    # Jinan's 7 days (JN 40) from Thursday 2026-02-12: 13, 14 (Saturday worked), 24-27, 28 (Saturday worked).
    assert CAL.add_working_days(date(2026, 2, 12), 7).value == date(2026, 2, 28)


def test_counting_starts_the_day_after() -> None:
    assert CAL.add_working_days(date(2026, 11, 23), 0).value == date(2026, 11, 23)
    assert CAL.add_working_days(date(2026, 11, 23), 1).value == date(2026, 11, 24)
    assert CAL.add_working_days(date(2026, 11, 27), 1).value == date(2026, 11, 30)  # Friday -> Monday


def test_leap_day_is_an_ordinary_working_day() -> None:
    assert CAL.day(date(2024, 2, 29)).working
    assert CAL.add_working_days(date(2024, 2, 28), 1).value == date(2024, 2, 29)
    assert CAL.add_working_days(date(2024, 2, 29), 1).value == date(2024, 3, 1)


def test_paused_days_do_not_count() -> None:
    # OBJ-4: three working days from Monday 2026-11-02 with an expert review from Nov 3 to Nov 5.
    pause = [(date(2026, 11, 3), date(2026, 11, 5))]
    assert CAL.add_working_days(date(2026, 11, 2), 3).value == date(2026, 11, 5)
    assert CAL.add_working_days(date(2026, 11, 2), 3, pause).value == date(2026, 11, 10)
    assert CAL.working_days_between(date(2026, 11, 2), date(2026, 11, 10), pause).value == 3


def test_working_days_between_counts_after_start_through_end() -> None:
    assert CAL.working_days_between(date(2026, 9, 30), date(2026, 10, 10)).value == 3
    assert CAL.working_days_between(date(2026, 10, 10), date(2026, 9, 30)).value == -3
    assert CAL.working_days_between(date(2026, 10, 1), date(2026, 10, 7)).value == 0


# The calendar as it stood before 2027's schedule was published, whatever the installed library knows now.
BEFORE_2027_NOTICE = WorkingCalendar({year: s for year, s in CAL.schedules.items() if year < 2027})


def test_an_unknown_year_counts_weekends_only_and_says_so() -> None:
    # 2027-01-01 is a Friday: counted as a working day, and flagged as estimated.
    info = BEFORE_2027_NOTICE.day(date(2027, 1, 1))
    assert info.working and info.estimated and "2027年节假日安排未知" in info.reason
    result = BEFORE_2027_NOTICE.add_working_days(date(2026, 12, 30), 3)
    assert result.value == date(2027, 1, 4)
    assert result.estimated_years == (2027,)


def test_a_deployment_table_adds_a_year(tmp_path: Path) -> None:
    # A schedule written for this test (not the official 2027 notice): New Year's Day off, Jan 9 worked.
    (tmp_path / "holidays.toml").write_text(
        '[[year]]\nyear = 2027\nsource = "测试用安排"\n'
        'holidays = [{ date = 2027-01-01, name = "元旦" }]\n'
        'workdays = [{ date = 2027-01-09, name = "调休上班" }]\n',
        encoding="utf-8",
    )
    calendar = working_calendar(tmp_path)
    result = calendar.add_working_days(date(2026, 12, 30), 3)
    assert result.value == date(2027, 1, 5) and not result.estimated
    assert calendar.day(date(2027, 1, 9)).working
    assert 2027 in calendar.known_years()
    # The deployment table does not disturb the years the library knows.
    assert calendar.add_working_days(date(2026, 9, 30), 3).value == date(2026, 10, 10)


YEAR = '[[year]]\nyear = 2027\nsource = "测试"\n'


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("year = 5\n", "year"),
        (YEAR + 'holidays = [{ date = 2027-01-01T10:00:00, name = "元旦" }]\n', "holidays 第1项 的 date"),
        (
            '[[year]]\nyear = 2027.9\nsource = "x"\nholidays = [{ date = 2027-01-01, name = "元旦" }]\n',
            "应为整数",
        ),
        (YEAR + 'holidays = [{ date = 2028-01-01, name = "元旦" }]\n', "2028-01-01"),
        (
            YEAR + 'holidays = [{ date = 2027-01-01, name = "元旦" }]\n'
            'workdays = [{ date = 2027-01-01, name = "上班" }]\n',
            "同时列为节假日和上班日",
        ),
        (YEAR + "holidays = []\n", "至少需要 1 项"),
        (YEAR + "holidays = [{ date = 2027-01-01 }]\n", "name"),
        ('[[year]]\nyear = 2027\nholidays = [{ date = 2027-01-01, name = "元旦" }]\n', "source"),
        ("[[year]\n", "TOML"),
    ],
)
def test_a_malformed_table_is_refused_with_where(tmp_path: Path, text: str, needle: str) -> None:
    path = tmp_path / "holidays.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(XinyongError) as caught:
        read_table(path)
    assert caught.value.code == "calendar.override_invalid"
    assert str(path) in caught.value.message and needle in caught.value.message


@pytest.mark.parametrize(("days", "code"), [(-1, "calendar.negative_days"), (3651, "calendar.too_many_days")])
def test_bad_day_counts_are_refused(days: int, code: str) -> None:
    with pytest.raises(XinyongError) as caught:
        CAL.add_working_days(date(2026, 1, 1), days)
    assert caught.value.code == code and caught.value.problem.field == "days"


def test_the_end_of_the_calendar_is_refused_not_crashed() -> None:
    with pytest.raises(XinyongError) as caught:
        CAL.add_working_days(date(9999, 12, 30), 5)
    assert caught.value.code == "calendar.out_of_range"


@given(st.dates(date(2004, 1, 1), date(2026, 10, 31)), st.integers(0, 40))
def test_counting_forward_and_back_agree(start: date, days: int) -> None:
    result = CAL.add_working_days(start, days)
    assert isinstance(result.value, date)
    assert CAL.working_days_between(start, result.value).value == days
    if days:
        assert CAL.day(result.value).working
        assert CAL.add_working_days(start, days - 1).value < result.value
