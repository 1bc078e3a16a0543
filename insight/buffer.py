"""Delivery buffer of a customer, of a product line, or of a customer's orders in one product line:
on-time rate, delay distribution in working days, and a suggested buffer to add to promised dates.

Rule: the suggested buffer is the smallest number of working days that would have made at least
80 % of the customer's late orders (in the window) on time; 0 when none was late. With fewer than
`MIN_ORDERS` delivered orders in the window the answer is "历史不足" (no suggestion).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session, select

from core.runtime import current_runtime
from core.types import utcnow
from insight import texts
from orders.models import Customer, Order, Product
from workcal.service import calendar_for

WINDOW_DAYS = 90
MIN_ORDERS = 5
COVER = 0.8


class CustomerNotFound(LookupError):
    """No customer of that id."""


@dataclass
class Buffer:
    """One customer's delivery record in the window and the suggestion drawn from it."""

    customer_id: int | None
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
    product_line: str | None = None  # None: every product line

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


def buffer_for(session: Session, customer_id: int | None, *, window_days: int = WINDOW_DAYS,
               now: datetime | None = None, settings=None, product_line: str | None = None) -> Buffer:
    """On-time rate, delay distribution and suggested buffer over the rolling window: of one customer,
    of one product line (customer_id None), or of the customer's orders in that product line."""
    customer = session.get(Customer, customer_id) if customer_id is not None else None
    if customer_id is not None and customer is None:
        raise CustomerNotFound(customer_id)
    settings = settings or current_runtime().settings
    now = now or utcnow()
    cal = calendar_for(session, settings)
    stmt = select(Order.delivered_at, Order.promised_date).where(
        Order.delivered_at.is_not(None), Order.delivered_at >= now - timedelta(days=window_days),
        Order.delivered_at <= now)
    if customer_id is not None:
        stmt = stmt.where(Order.customer_id == customer_id)
    if product_line is not None:
        stmt = stmt.join(Product, Product.id == Order.product_id).where(Product.product_line == product_line)
    rows = session.exec(stmt).all()
    delays = []
    for delivered_at, promised in rows:
        day = delivered_at.astimezone(settings.tz).date()
        if day > promised:
            delays.append(max(1, cal.working_days_between(promised, day)))  # late on a holiday counts 1
    delivered, late = len(rows), len(delays)
    histogram: dict[int, int] = {}
    for d in delays:
        histogram[d] = histogram.get(d, 0) + 1
    out = Buffer(customer_id, customer.name if customer else "", window_days, delivered, delivered - late, late,
                 (delivered - late) / delivered if delivered else None, histogram,
                 rule=texts.BUFFER_RULE.format(min_orders=MIN_ORDERS), product_line=product_line)
    out.enough_data = delivered >= MIN_ORDERS
    scope = texts.buffer_scope(customer is not None, product_line)
    if out.enough_data:
        out.suggested_days = suggest(delays)
        out.text = texts.BUFFER_LINE.format(scope=scope, days=window_days, delivered=delivered,
                                            buffer=out.suggested_days, rate=f"{out.on_time_rate:.0%}")
    else:
        out.text = texts.BUFFER_LINE_NONE.format(scope=scope, days=window_days, delivered=delivered)
    return out


def product_line_of(session: Session, product_id: int | None) -> str:
    """The product line of a product ("" when it has none or is unknown)."""
    product = session.get(Product, product_id) if product_id else None
    return product.product_line if product else ""


def decision_buffers(session: Session, customer_id: int, product_line: str, *, now: datetime | None = None,
                     settings=None) -> list[Buffer]:
    """What a person deciding a promised date sees: the customer's buffer, and when the product has a
    product line, that line's buffer for this customer and across every customer."""
    found = [buffer_for(session, customer_id, now=now, settings=settings)]
    if product_line:
        found.append(buffer_for(session, customer_id, now=now, settings=settings, product_line=product_line))
        found.append(buffer_for(session, None, now=now, settings=settings, product_line=product_line))
    return found


def decision_text(session: Session, customer_id: int, product_line: str, *, now: datetime | None = None,
                  settings=None) -> str:
    """The buffers of `decision_buffers`, one line each."""
    return "\n".join(b.text for b in decision_buffers(session, customer_id, product_line, now=now, settings=settings))


def customer_line_buffers(session: Session, customer_id: int, *, now: datetime | None = None,
                          settings=None) -> list[Buffer]:
    """The customer's buffer in each product line it has orders in (for its admin page)."""
    lines = session.exec(select(Product.product_line).join(Order, Order.product_id == Product.id)
                         .where(Order.customer_id == customer_id, Product.product_line != "")
                         .distinct().order_by(Product.product_line)).all()
    return [buffer_for(session, customer_id, now=now, settings=settings, product_line=line) for line in lines]
