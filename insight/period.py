"""The time window every report looks at: the last N days up to now, optionally narrowed to the orders of
one customer, customer level, product line, salesperson and production line."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from core.types import utcnow
from insight import texts
from orders.exceptions import OrderError

DEFAULT_DAYS = 30
FILTERS = ("customer_id", "customer_level", "product_line", "sales_owner_id", "line")
MAX_DAYS = 365


class BadPeriod(OrderError):
    """A period outside 1..365 days."""

    http_status = 400
    code = "bad_period"


@dataclass(frozen=True)
class Period:
    """[start, end) in UTC, the business time zone, and optional order filters (None: every value)."""

    start: datetime
    end: datetime
    days: int
    tz: ZoneInfo
    customer_id: int | None = None
    customer_level: str | None = None  # Customer.level
    product_line: str | None = None  # Product.product_line
    sales_owner_id: int | None = None  # Order.sales_owner_id
    line: str | None = None  # Order.line, the production line the order is planned on

    @property
    def today(self) -> date:
        return self.end.astimezone(self.tz).date()

    @property
    def filters(self) -> dict:
        """The order filters that are set, by their query-parameter name."""
        return {k: v for k in FILTERS if (v := getattr(self, k)) not in (None, "")}

    @property
    def filtered(self) -> bool:
        """Some order filter narrows the period's orders."""
        return bool(self.filters)


def make_period(days: int | None, tz: ZoneInfo, *, customer_id: int | None = None,
                now: datetime | None = None, **filters) -> Period:
    """The last `days` days up to `now` (default 30 days, up to now), with the order filters given
    (customer_level, product_line, sales_owner_id, line)."""
    days = DEFAULT_DAYS if days is None else days
    if not 1 <= days <= MAX_DAYS:
        raise BadPeriod(texts.BAD_PERIOD)
    end = now or utcnow()
    return Period(end - timedelta(days=days), end, days, tz, customer_id, **filters)
