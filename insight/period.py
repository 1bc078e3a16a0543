"""The time window every report looks at: the last N days up to now, optionally one customer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from core.types import utcnow
from insight import texts
from orders.exceptions import OrderError

DEFAULT_DAYS = 30
MAX_DAYS = 365


class BadPeriod(OrderError):
    """A period outside 1..365 days."""

    http_status = 400
    code = "bad_period"


@dataclass(frozen=True)
class Period:
    """[start, end) in UTC, the business time zone, and an optional customer filter."""

    start: datetime
    end: datetime
    days: int
    tz: ZoneInfo
    customer_id: int | None = None

    @property
    def today(self) -> date:
        return self.end.astimezone(self.tz).date()


def make_period(days: int | None, tz: ZoneInfo, *, customer_id: int | None = None,
                now: datetime | None = None) -> Period:
    """The last `days` days up to `now` (default 30 days, up to now)."""
    days = DEFAULT_DAYS if days is None else days
    if not 1 <= days <= MAX_DAYS:
        raise BadPeriod(texts.BAD_PERIOD)
    end = now or utcnow()
    return Period(end - timedelta(days=days), end, days, tz, customer_id)
