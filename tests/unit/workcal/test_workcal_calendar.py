"""Golden cases of the working-time calendar (pure: no database)."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workcal.calendar import Calendar

SH = ZoneInfo("Asia/Shanghai")


def at(y, m, d, hh=0, mm=0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SH)


@pytest.fixture
def cal():
    return Calendar(None, SH)


def test_national_day_2026_follows_chinese_calendar(cal):
    # The issue text expected 10-09; chinese_calendar (State Council notice) makes 10-08 a workday.
    assert [cal.is_workday(date(2026, 10, d)) for d in range(1, 8)] == [False] * 7
    assert cal.is_workday(date(2026, 10, 8))
    assert cal.add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert cal.add_working_days(date(2026, 9, 30), 2) == date(2026, 10, 9)


def test_national_day_make_up_workdays_are_workdays(cal):
    assert cal.is_workday(date(2026, 9, 20))  # Sunday
    assert cal.is_workday(date(2026, 10, 10))  # Saturday
    assert cal.add_working_days(date(2026, 10, 9), 1) == date(2026, 10, 10)


def test_spring_festival_2026(cal):
    assert cal.is_workday(date(2026, 2, 14))  # Saturday make-up day before the holiday
    assert not any(cal.is_workday(date(2026, 2, d)) for d in range(15, 24))
    assert cal.add_working_days(date(2026, 2, 14), 1) == date(2026, 2, 24)
    assert cal.working_days_between(date(2026, 2, 13), date(2026, 2, 24)) == 2
    assert cal.add_working_days(date(2026, 2, 24), -1) == date(2026, 2, 14)
    assert cal.warnings == []


def test_2027_falls_back_to_holidays_package_with_a_warning(cal):
    assert cal.year_source(2027) == "fallback"
    assert not cal.is_workday(date(2027, 2, 8))  # Spring Festival per holidays.China
    assert cal.is_workday(date(2027, 3, 1))
    assert cal.fallback_years == {2027}
    assert "2027" in cal.warnings[0]


def test_overrides_win_over_official_data():
    cal = Calendar({date(2026, 10, 8): False, date(2027, 2, 20): True}, SH)
    assert cal.add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 9)
    assert cal.is_workday(date(2027, 2, 20))  # a Saturday


def test_a_year_with_an_imported_notice_ignores_guesses_and_warns_no_more():
    notice = {date(2027, 2, d): False for d in range(6, 10)} | {date(2027, 2, 14): True}
    cal = Calendar(notice, SH, notice_years={2027})
    assert cal.is_workday(date(2027, 2, 10))  # holidays.China guesses 'observed'; the notice says work
    assert cal.is_workday(date(2027, 2, 14))
    assert not cal.is_workday(date(2027, 2, 8))
    assert cal.year_source(2027) == "notice" and cal.warnings == []


def test_24_working_hours_from_monday_10_is_wednesday_15(cal):
    assert cal.add_working_hours(at(2026, 11, 23, 10), 24) == at(2026, 11, 25, 15)
    assert cal.add_working_hours(at(2026, 11, 25, 15), -24) == at(2026, 11, 23, 10)
    assert cal.working_hours_between(at(2026, 11, 23, 10), at(2026, 11, 25, 15)) == 24


def test_working_hours_skip_weekends_and_holidays(cal):
    assert cal.add_working_hours(at(2026, 11, 27, 16, 30), 2) == at(2026, 11, 30, 9)
    assert cal.add_working_hours(at(2026, 9, 30, 17), 1) == at(2026, 10, 8, 8, 30)
    assert cal.working_hours_between(at(2026, 10, 1), at(2026, 10, 7, 23)) == 0


def test_next_working_time_and_quiet_hours(cal):
    assert cal.next_working_time(at(2026, 11, 27, 18)) == at(2026, 11, 30, 8)
    assert cal.next_working_time(at(2026, 11, 30, 7, 59)) == at(2026, 11, 30, 8)
    assert cal.next_working_time(at(2026, 11, 30, 9)) == at(2026, 11, 30, 9)
    assert cal.is_quiet(at(2026, 11, 30, 17, 30)) and not cal.is_quiet(at(2026, 11, 30, 17, 29))
    assert cal.is_quiet(at(2026, 10, 3, 10))
    assert not cal.is_quiet(datetime(2026, 11, 30, 1, 0, tzinfo=UTC))  # 09:00 in Shanghai


def test_shift_hours_are_configurable():
    cal = Calendar(None, "Asia/Shanghai", "09:00", "18:00")
    assert cal.shift_start == time(9) and cal.shift_end == time(18)
    assert cal.next_working_time(at(2026, 11, 30, 8, 30)) == at(2026, 11, 30, 9)
    with pytest.raises(ValueError):
        Calendar(None, SH, "18:00", "09:00")


@settings(max_examples=200, deadline=None)
@given(start=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 20)),
       minutes=st.integers(min_value=0, max_value=60 * 24 * 5))
def test_adding_then_measuring_working_hours_round_trips(start, minutes):
    cal = Calendar(None, SH)
    begin = start.replace(tzinfo=SH)
    end = cal.add_working_hours(begin, minutes / 60)
    assert abs(cal.working_hours_between(begin, end) - minutes / 60) < 1e-9
    if minutes:
        assert cal.add_working_hours(end, -minutes / 60) == cal.next_working_time(begin)
