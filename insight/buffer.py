"""Delivery buffer of a customer: on-time rate, delay distribution in working days, and a suggested
buffer to add to promised dates.

Rule: the suggested buffer is the smallest number of working days that would have made at least
80 % of the customer's late orders (in the window) on time; 0 when none was late. With fewer than
`MIN_ORDERS` delivered orders in the window the answer is "数据不足" (no suggestion).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session, select

from core.runtime import current_runtime
from core.types import utcnow
from insight import texts
from orders.models import Customer, Order
from workcal.service import calendar_for

WINDOW_DAYS = 90
MIN_ORDERS = 5
COVER = 0.8


class CustomerNotFound(LookupError):
    """No customer of that id."""


@dataclass
class Buffer:
    """One customer's delivery record in the window and the suggestion drawn from it."""

    customer_id: int
    customer: str
    window_days: int
    delivered: int
    on_time: int
    late: int
    on_time_rate: float | None
    delays: dict[int, int] = field(default_factory=dict)  # working days late -> orders
    suggested_days: int | None = None
    enough_data: bool = False
    text: str = ""
    rule: str = ""

    def as_dict(self) -> dict:
        out = asdict(self)
        out["delays"] = [{"days": d, "orders": n} for d, n in sorted(self.delays.items())]
        return out


def suggest(delays: list[int], cover: float = COVER) -> int:
    """Smallest k with at least `cover` of the late orders' delays <= k (0 when none was late)."""
    if not delays:
        return 0
    ordered = sorted(delays)
    return ordered[math.ceil(cover * len(ordered)) - 1]


def buffer_for(session: Session, customer_id: int, *, window_days: int = WINDOW_DAYS,
               now: datetime | None = None, settings=None) -> Buffer:
    """The customer's on-time rate, delay distribution and suggested buffer over the rolling window."""
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise CustomerNotFound(customer_id)
    settings = settings or current_runtime().settings
    now = now or utcnow()
    cal = calendar_for(session, settings)
    rows = session.exec(select(Order.delivered_at, Order.promised_date).where(
        Order.customer_id == customer_id, Order.delivered_at.is_not(None),
        Order.delivered_at >= now - timedelta(days=window_days), Order.delivered_at <= now)).all()
    delays = []
    for delivered_at, promised in rows:
        day = delivered_at.astimezone(settings.tz).date()
        if day > promised:
            delays.append(max(1, cal.working_days_between(promised, day)))  # late on a holiday counts 1
    delivered, late = len(rows), len(delays)
    histogram: dict[int, int] = {}
    for d in delays:
        histogram[d] = histogram.get(d, 0) + 1
    out = Buffer(customer_id, customer.name, window_days, delivered, delivered - late, late,
                 (delivered - late) / delivered if delivered else None, histogram,
                 rule=texts.BUFFER_RULE.format(min_orders=MIN_ORDERS))
    out.enough_data = delivered >= MIN_ORDERS
    if out.enough_data:
        out.suggested_days = suggest(delays)
        out.text = texts.BUFFER_LINE.format(days=window_days, delivered=delivered, buffer=out.suggested_days,
                                            rate=f"{out.on_time_rate:.0%}")
    else:
        out.text = texts.BUFFER_LINE_NONE.format(days=window_days, delivered=delivered)
    return out
