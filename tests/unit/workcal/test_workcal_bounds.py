"""The calendar stays bounded: far dates are counted, not walked; huge moves are refused."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workcal.calendar import MAX_STEP_DAYS, Calendar, CalendarRangeError

SH = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 11, 26)


def cal() -> Calendar:
    return Calendar({date(2027, 2, 20): True}, SH, today=TODAY)


def walked(c: Calendar, a: date, b: date) -> int:
    """Workdays in (a, b] the slow way, one day at a time."""
    return sum(c.is_workday(a + timedelta(days=i)) for i in range(1, (b - a).days + 1))


@settings(max_examples=150, deadline=None)
@given(a=st.dates(min_value=date(2010, 1, 1), max_value=date(2042, 12, 31)),
       span=st.integers(min_value=0, max_value=3000))
def test_counting_by_year_agrees_with_walking_day_by_day(a, span):
    c = cal()
    b = a + timedelta(days=span)
    assert c.working_days_between(a, b) == walked(c, a, b)
    assert c.working_days_between(b, a) == -walked(c, a, b)


def test_beyond_the_horizon_a_workday_is_monday_to_friday():
    c = cal()
    assert c.last_day == date(2036, 12, 31) and c.first_day == date(2016, 1, 1)
    assert c.is_workday(date(2040, 10, 1))  # a Monday, National Day beyond the horizon
    assert not c.is_workday(date(2040, 10, 6))  # a Saturday
    assert c.working_days_between(date(2040, 1, 1), date(2040, 1, 8)) == 5


def test_the_far_future_is_counted_not_walked():
    c = cal()
    days = c.working_days_between(TODAY, date(9999, 12, 31))
    inside = c.working_days_between(TODAY, c.last_day)
    beyond = walked(c, date(9999, 12, 3), date(9999, 12, 31))  # a Friday through a Friday: four weeks
    assert beyond == 20
    assert days > inside + 5 * 52 * (9999 - 2037)
    hours = c.working_hours_between(datetime(2026, 11, 26, 9, tzinfo=SH), datetime(9999, 12, 31, tzinfo=SH))
    assert hours == pytest.approx((days - 1) * 9.5 + 8.5)  # the rest of today, then whole shifts


def test_a_huge_move_is_refused_not_walked():
    c = cal()
    with pytest.raises(CalendarRangeError):
        c.add_working_days(TODAY, 999_999_999)
    with pytest.raises(CalendarRangeError):
        c.add_working_hours(datetime(2026, 11, 26, 9, tzinfo=SH), 1e12)
    with pytest.raises(CalendarRangeError):
        c.add_working_hours(datetime(2026, 11, 26, 9, tzinfo=SH), float("nan"))
    with pytest.raises(CalendarRangeError):
        c.next_workday(date(9999, 12, 31))
    far = c.add_working_days(TODAY, MAX_STEP_DAYS)
    assert c.working_days_between(TODAY, far) == MAX_STEP_DAYS


def test_years_are_decided_once_per_calendar():
    c = cal()
    c.working_days_between(date(2026, 1, 1), date(2036, 6, 1))
    assert sorted(c._years) == list(range(2026, 2037))
    assert c.fallback_years == set(range(2027, 2037))
