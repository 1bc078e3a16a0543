"""The working-time calendar: which days are workdays, and time counted in shift hours.

Sources, first match wins:
1. overrides (`HolidayOverride` rows or a plain {date: is_workday} mapping; `workcal.service.calendar_for`
   reads them from the database);
2. `chinese_calendar` — official holidays and 调休 make-up workdays (its data ends in 2026);
3. beyond that data: a year whose State Council notice was imported counts weekdays only
   (the notice's rows are in the overrides); any other year uses `holidays.China` for holidays
   and knows no make-up workdays — that year is recorded in `fallback_years` / `warnings`;
4. more than HORIZON_YEARS from today: Monday to Friday, counted arithmetically.

Each year is decided once (the sources' answers are cached per year across calendars), so counting
costs O(years spanned) and no date, however far, makes a request walk day by day.

Pure: no database, no settings; the caller hands in the overrides.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
import holidays

from workcal import texts

MAX_SCAN_DAYS = 3660  # no real calendar has ten years without a workday
HORIZON_YEARS = 10  # whole years each side of today the calendar knows holidays for
MAX_STEP_DAYS = 366 * HORIZON_YEARS  # the largest move in working days (a user value never goes beyond)
DEFAULT_SHIFT = (time(8, 0), time(17, 30))
_UNKNOWN = 2  # chinese_calendar has no data for that day


class CalendarRangeError(ValueError):
    """The arithmetic asked for would leave the dates the calendar can reckon with."""


def parse_hhmm(value: str | time) -> time:
    """A time from 'HH:MM' (or a time as is); ValueError when malformed."""
    if isinstance(value, time):
        return value
    hh, _, mm = str(value).strip().partition(":")
    return time(int(hh), int(mm or 0))


@functools.lru_cache(maxsize=64)
def official_year(year: int) -> bytes:
    """Per day of `year`: 1 workday, 0 day off, 2 beyond chinese_calendar's data (cached per year)."""
    first, out = date(year, 1, 1), bytearray()
    for i in range((date(year + 1, 1, 1) - first).days):
        try:
            out.append(1 if chinese_calendar.is_workday(first + timedelta(days=i)) else 0)
        except NotImplementedError:
            out.append(_UNKNOWN)
    return bytes(out)


@functools.lru_cache(maxsize=64)
def china_holidays(year: int) -> frozenset[date]:
    """Public holidays of `year` per holidays.China (no make-up workdays), cached per year."""
    return frozenset(holidays.China(years=year))


def weekdays_through(d: date) -> int:
    """Mondays to Fridays from 0001-01-01 (a Monday) through `d`: O(1) counting beyond the horizon."""
    weeks, rest = divmod(d.toordinal() - 1, 7)
    return 5 * weeks + min(rest + 1, 5)


class Calendar:
    """Workdays and shift hours in one time zone; see the module docstring for the sources.

    Holidays are known for HORIZON_YEARS whole years each side of `today`; beyond that a workday is
    Monday to Friday, counted arithmetically, so no date makes the calendar walk day by day.
    """

    def __init__(self, overrides=None, tz: ZoneInfo | str = "Asia/Shanghai",
                 shift_start: time | str = DEFAULT_SHIFT[0], shift_end: time | str = DEFAULT_SHIFT[1],
                 notice_years: Iterable[int] = (), today: date | None = None):
        self.tz = ZoneInfo(tz) if isinstance(tz, str) else tz
        self.shift_start = parse_hhmm(shift_start)
        self.shift_end = parse_hhmm(shift_end)
        if self.shift_end <= self.shift_start:
            raise ValueError("shift_end must be after shift_start")
        self.overrides: dict[date, bool] = {}
        self.notice_years: set[int] = set(notice_years)
        self._load(overrides)
        self.fallback_years: set[int] = set()
        year = (today or datetime.now(self.tz).date()).year
        self.first_day = date(max(year - HORIZON_YEARS, 1), 1, 1)
        self.last_day = date(min(year + HORIZON_YEARS, 9998), 12, 31)
        self._years: dict[int, tuple[bytearray, list[int]]] = {}

    def _load(self, source) -> None:
        if source is None:
            return
        if isinstance(source, Mapping):
            self.overrides.update({d: bool(v) for d, v in source.items()})
            return
        for row in source:  # HolidayOverride-like rows
            self.overrides[row.day] = bool(row.is_workday)
            if getattr(row, "source", "") == "notice":
                self.notice_years.add(row.day.year)

    # ---- days -------------------------------------------------------------------------------
    def _year(self, year: int) -> tuple[bytearray, list[int]]:
        """Workday flags of a year inside the horizon and their running count, built once."""
        hit = self._years.get(year)
        if hit is not None:
            return hit
        first, official = date(year, 1, 1), official_year(year)
        flags, running, n = bytearray(len(official)), [], 0
        for i, known in enumerate(official):
            d = first + timedelta(days=i)
            if d in self.overrides:
                work = self.overrides[d]
            elif known != _UNKNOWN:
                work = bool(known)
            elif year in self.notice_years:
                work = d.weekday() < 5
            else:
                self.fallback_years.add(year)
                work = d.weekday() < 5 and d not in china_holidays(year)
            flags[i] = work
            n += work
            running.append(n)
        self._years[year] = (flags, running)
        return flags, running

    def _inside(self, d: date) -> bool:
        return self.first_day <= d <= self.last_day

    def is_workday(self, d: date) -> bool:
        """True when `d` is a working day."""
        if isinstance(d, datetime):
            d = d.astimezone(self.tz).date()
        if not self._inside(d):
            return d.weekday() < 5
        return bool(self._year(d.year)[0][d.timetuple().tm_yday - 1])

    def _through(self, d: date) -> int:
        """Workdays from 1 January of d's year through `d` (d inside the horizon)."""
        return self._year(d.year)[1][d.timetuple().tm_yday - 1]

    def year_source(self, year: int) -> str:
        """'official', 'notice' or 'fallback': where this year's workdays come from."""
        try:
            chinese_calendar.is_workday(date(year, 6, 1))
            return "official"
        except NotImplementedError:
            return "notice" if year in self.notice_years else "fallback"

    @property
    def warnings(self) -> list[str]:
        """One warning text per fallback year this calendar has used."""
        return [texts.fallback_warning(y) for y in sorted(self.fallback_years)]

    def _step(self, d: date, direction: int) -> date:
        try:
            for _ in range(MAX_SCAN_DAYS):
                d = d + timedelta(days=direction)
                if self.is_workday(d):
                    return d
        except OverflowError:
            raise CalendarRangeError("date out of range") from None
        raise CalendarRangeError("no workday within ten years")

    def next_workday(self, d: date) -> date:
        """The first workday after `d`."""
        return self._step(d, 1)

    def previous_workday(self, d: date) -> date:
        """The last workday before `d`."""
        return self._step(d, -1)

    def add_working_days(self, d: date, n: int) -> date:
        """The date `n` working days after `d` (before, when n < 0); `d` itself is not counted.

        CalendarRangeError when |n| is beyond MAX_STEP_DAYS, so a user's number cannot make it walk for long.
        """
        if abs(n) > MAX_STEP_DAYS:
            raise CalendarRangeError(f"{n} working days is beyond the calendar's reach")
        for _ in range(abs(n)):
            d = self._step(d, 1 if n > 0 else -1)
        return d

    def working_days_between(self, a: date, b: date) -> int:
        """Workdays in (a, b]; negative when b is before a. O(years spanned inside the horizon)."""
        if b < a:
            return -self.working_days_between(b, a)
        total = 0
        before = self.first_day - timedelta(days=1)
        if a < before:  # the part before the horizon: weekdays
            end = min(b, before)
            total += weekdays_through(end) - weekdays_through(a)
            a = end
        if a < b and a < self.last_day:
            end = min(b, self.last_day)
            total += self._count_inside(a, end)
            a = end
        if a < b:  # the part after the horizon: weekdays
            total += weekdays_through(b) - weekdays_through(a)
        return total

    def _count_inside(self, a: date, b: date) -> int:
        """Workdays in (a, b] where a is inside the horizon or the day before it and a < b ≤ last_day."""
        n = 0 if a < self.first_day else -self._through(a)
        for year in range(max(a.year, self.first_day.year), b.year):
            n += self._year(year)[1][-1]
        return n + self._through(b)

    # ---- hours ------------------------------------------------------------------------------
    def shift_of(self, d: date) -> tuple[datetime, datetime]:
        """Start and end of the shift on date `d`, aware in the calendar's zone."""
        return (datetime.combine(d, self.shift_start, tzinfo=self.tz),
                datetime.combine(d, self.shift_end, tzinfo=self.tz))

    def is_quiet(self, dt: datetime) -> bool:
        """True outside shift hours or on a non-working day."""
        local = dt.astimezone(self.tz)
        start, end = self.shift_of(local.date())
        return not (self.is_workday(local.date()) and start <= local < end)

    def next_working_time(self, dt: datetime) -> datetime:
        """`dt` itself when inside a shift, else the start of the next shift."""
        local = dt.astimezone(self.tz)
        d = local.date()
        if self.is_workday(d):
            start, end = self.shift_of(d)
            if local < start:
                return start
            if local < end:
                return local
        return self.shift_of(self.next_workday(d))[0]

    def _previous_working_time(self, dt: datetime) -> datetime:
        """`dt` itself when inside a shift (end included), else the end of the previous shift."""
        local = dt.astimezone(self.tz)
        d = local.date()
        if self.is_workday(d):
            start, end = self.shift_of(d)
            if local > end:
                return end
            if local > start:
                return local
        return self.shift_of(self.previous_workday(d))[1]

    def shift_length(self) -> timedelta:
        """How long one shift lasts."""
        return datetime.combine(date.min, self.shift_end) - datetime.combine(date.min, self.shift_start)

    def add_working_hours(self, dt: datetime, hours: float) -> datetime:
        """The instant `hours` of shift time after `dt` (before, when negative).

        CalendarRangeError beyond MAX_STEP_DAYS shifts' worth of hours (the walk is one step a day).
        """
        if not math.isfinite(hours) or abs(hours) > MAX_STEP_DAYS * self.shift_length().total_seconds() / 3600:
            raise CalendarRangeError(f"{hours} working hours is beyond the calendar's reach")
        if hours < 0:
            return self._subtract_working_hours(dt, -hours)
        left = timedelta(hours=hours)
        cur = self.next_working_time(dt)
        while True:
            end = self.shift_of(cur.date())[1]
            if left <= end - cur:
                return cur + left
            left -= end - cur
            cur = self.shift_of(self.next_workday(cur.date()))[0]

    def _subtract_working_hours(self, dt: datetime, hours: float) -> datetime:
        """The latest instant from which `hours` of shift time reach `dt`."""
        left = timedelta(hours=hours)
        cur = self._previous_working_time(dt)
        while True:
            start = self.shift_of(cur.date())[0]
            if left <= cur - start:
                return cur - left
            left -= cur - start
            cur = self.shift_of(self.previous_workday(cur.date()))[1]

    def working_hours_between(self, a: datetime, b: datetime) -> float:
        """Shift hours between two instants; negative when b is before a. Whole days are counted, not walked."""
        if b < a:
            return -self.working_hours_between(b, a)
        a, b = a.astimezone(self.tz), b.astimezone(self.tz)
        if a.date() == b.date():
            return self._hours_on(a.date(), a, b).total_seconds() / 3600
        first, last = a.date(), b.date()
        total = self._hours_on(first, a, None) + self._hours_on(last, None, b)
        whole_days = self.working_days_between(first, last - timedelta(days=1))
        return (total + whole_days * self.shift_length()).total_seconds() / 3600

    def _hours_on(self, d: date, lo: datetime | None, hi: datetime | None) -> timedelta:
        """Shift time on date `d` between lo and hi (None: the shift's own bound)."""
        if not self.is_workday(d):
            return timedelta()
        start, end = self.shift_of(d)
        lo, hi = max(lo or start, start), min(hi or end, end)
        return hi - lo if hi > lo else timedelta()
