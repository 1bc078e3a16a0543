"""The working-time calendar: which days are workdays, and time counted in shift hours.

Sources, first match wins:
1. overrides (`HolidayOverride` rows or a plain {date: is_workday} mapping);
2. `chinese_calendar` — official holidays and 调休 make-up workdays (its data ends in 2026);
3. beyond that data: a year whose State Council notice was imported counts weekdays only
   (the notice's rows are in the overrides); any other year uses `holidays.China` for holidays
   and knows no make-up workdays — that year is recorded in `fallback_years` / `warnings`.

Pure apart from an optional session used once, in the constructor, to read the overrides.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
import holidays

from workcal import texts

MAX_SCAN_DAYS = 3660  # no real calendar has ten years without a workday
DEFAULT_SHIFT = (time(8, 0), time(17, 30))


def parse_hhmm(value: str | time) -> time:
    """A time from 'HH:MM' (or a time as is); ValueError when malformed."""
    if isinstance(value, time):
        return value
    hh, _, mm = str(value).strip().partition(":")
    return time(int(hh), int(mm or 0))


class Calendar:
    """Workdays and shift hours in one time zone; see the module docstring for the sources."""

    def __init__(self, session_or_overrides=None, tz: ZoneInfo | str = "Asia/Shanghai",
                 shift_start: time | str = DEFAULT_SHIFT[0], shift_end: time | str = DEFAULT_SHIFT[1],
                 notice_years: Iterable[int] = ()):
        self.tz = ZoneInfo(tz) if isinstance(tz, str) else tz
        self.shift_start = parse_hhmm(shift_start)
        self.shift_end = parse_hhmm(shift_end)
        if self.shift_end <= self.shift_start:
            raise ValueError("shift_end must be after shift_start")
        self.overrides: dict[date, bool] = {}
        self.notice_years: set[int] = set(notice_years)
        self._load(session_or_overrides)
        self.fallback_years: set[int] = set()
        self._cache: dict[date, bool] = {}
        self._cn_holidays: dict[int, holidays.HolidayBase] = {}

    def _load(self, source) -> None:
        if source is None:
            return
        if hasattr(source, "exec"):  # a Session
            from workcal.service import load_overrides

            source, notice = load_overrides(source)
            self.notice_years |= notice
        if isinstance(source, Mapping):
            self.overrides.update({d: bool(v) for d, v in source.items()})
            return
        for row in source:  # HolidayOverride-like rows
            self.overrides[row.day] = bool(row.is_workday)
            if getattr(row, "source", "") == "notice":
                self.notice_years.add(row.day.year)

    # ---- days -------------------------------------------------------------------------------
    def is_workday(self, d: date) -> bool:
        """True when `d` is a working day."""
        if isinstance(d, datetime):
            d = d.astimezone(self.tz).date()
        hit = self._cache.get(d)
        if hit is None:
            hit = self._cache[d] = self._decide(d)
        return hit

    def _decide(self, d: date) -> bool:
        if d in self.overrides:
            return self.overrides[d]
        try:
            return bool(chinese_calendar.is_workday(d))
        except NotImplementedError:
            pass
        if d.year in self.notice_years:
            return d.weekday() < 5
        self.fallback_years.add(d.year)
        if d.year not in self._cn_holidays:
            self._cn_holidays[d.year] = holidays.China(years=d.year)
        return d.weekday() < 5 and d not in self._cn_holidays[d.year]

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
        for _ in range(MAX_SCAN_DAYS):
            d = d + timedelta(days=direction)
            if self.is_workday(d):
                return d
        raise ValueError("no workday within ten years")

    def next_workday(self, d: date) -> date:
        """The first workday after `d`."""
        return self._step(d, 1)

    def previous_workday(self, d: date) -> date:
        """The last workday before `d`."""
        return self._step(d, -1)

    def add_working_days(self, d: date, n: int) -> date:
        """The date `n` working days after `d` (before, when n < 0); `d` itself is not counted."""
        for _ in range(abs(n)):
            d = self._step(d, 1 if n > 0 else -1)
        return d

    def working_days_between(self, a: date, b: date) -> int:
        """Workdays in (a, b]; negative when b is before a."""
        if b < a:
            return -self.working_days_between(b, a)
        return sum(1 for i in range(1, (b - a).days + 1) if self.is_workday(a + timedelta(days=i)))

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

    def add_working_hours(self, dt: datetime, hours: float) -> datetime:
        """The instant `hours` of shift time after `dt` (before, when negative)."""
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
        """Shift hours between two instants; negative when b is before a."""
        if b < a:
            return -self.working_hours_between(b, a)
        a, b = a.astimezone(self.tz), b.astimezone(self.tz)
        total = timedelta()
        d = a.date()
        while d <= b.date():
            if self.is_workday(d):
                start, end = self.shift_of(d)
                lo, hi = max(a, start), min(b, end)
                if hi > lo:
                    total += hi - lo
            d += timedelta(days=1)
        return total.total_seconds() / 3600
