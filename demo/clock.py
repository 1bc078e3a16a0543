"""Working time of the demo factory: Monday to Saturday, 08:00–12:00 and 13:00–17:30.

The demo history is laid out in working hours counted back from "now", so every
event falls in a shift and none lies in the future.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

SHIFTS = ((time(8, 0), time(12, 0)), (time(13, 0), time(17, 30)))
WORKDAYS = frozenset(range(6))  # Monday … Saturday


class WorkClock:
    """Adds and subtracts working hours in one time zone."""

    def __init__(self, tz: ZoneInfo):
        self.tz = tz

    def shifts(self, day: date) -> list[tuple[datetime, datetime]]:
        """The working windows of a day (none on Sundays)."""
        if day.weekday() not in WORKDAYS:
            return []
        return [(datetime.combine(day, a, self.tz), datetime.combine(day, b, self.tz)) for a, b in SHIFTS]

    def advance(self, t: datetime, hours: float) -> datetime:
        """The instant `hours` working hours after `t` (the earliest such instant)."""
        t, left = t.astimezone(self.tz), timedelta(hours=max(hours, 0))
        day = t.date()
        while True:
            for start, end in self.shifts(day):
                if t >= end:
                    continue
                t = max(t, start)
                if t + left <= end:
                    return t + left
                left -= end - t
                t = end
            day += timedelta(days=1)

    def retreat(self, t: datetime, hours: float) -> datetime:
        """The instant `hours` working hours before `t`."""
        t, left = t.astimezone(self.tz), timedelta(hours=max(hours, 0))
        day = t.date()
        while True:
            for start, end in reversed(self.shifts(day)):
                if t <= start:
                    continue
                t = min(t, end)
                if t - left >= start:
                    return t - left
                left -= t - start
                t = start
            day -= timedelta(days=1)

    def workday_after(self, day: date, n: int) -> date:
        """The n-th working day after `day` (n=0: `day` itself if it is one)."""
        while day.weekday() not in WORKDAYS:
            day += timedelta(days=1)
        while n > 0:
            day += timedelta(days=1)
            if day.weekday() in WORKDAYS:
                n -= 1
        return day

    def morning(self, day: date) -> datetime:
        """08:00 of a day."""
        return datetime.combine(day, SHIFTS[0][0], self.tz)
