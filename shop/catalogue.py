"""What a customer may order through the link, and the earliest date the factory offers.

`earliest_promise_date` is the ONE place that answers "how soon can we promise?": the later of
today + SHOP_LEAD_DAYS working days (review, materials) and the day the products would be finished if
scheduled now (nextsteps.planning: each route step on its line's working days within the capacity the
open tasks leave), then the customer's delivery buffer (insight) in working days when there is enough
history. The page offers the earliest any order could have (each catalogue product at the smallest
quantity); a submission is checked against its own products and quantities.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, select

from core.types import utcnow
from insight.buffer import buffer_for
from nextsteps.planning import build_plan, line_load, lines_for
from orders.exceptions import InvalidInput
from orders.models import Order, Product, RouteStep
from shop.models import ShopCustomer, ShopProduct
from workcal.service import calendar_for

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CatalogueItem:
    """One orderable product as the customer sees it (price only when enabled for the customer)."""

    product_id: int
    code: str
    name: str
    spec: str
    price: float | None = None
    picture: bool = False


def shows_prices(session: Session, customer_id: int) -> bool:
    """True when the sales owner enabled prices for this customer."""
    row = session.get(ShopCustomer, customer_id)
    return bool(row and row.show_prices)


def catalogue_for(session: Session, customer_id: int) -> list[CatalogueItem]:
    """Products the customer ordered before plus those enabled for them, by code."""
    ordered = select(Order.product_id).where(Order.customer_id == customer_id).distinct()
    enabled = select(ShopProduct.product_id).where(ShopProduct.customer_id == customer_id)
    rows = session.exec(select(Product).where(Product.id.in_(ordered) | Product.id.in_(enabled))
                        .order_by(Product.code)).all()
    prices = shows_prices(session, customer_id)
    return [CatalogueItem(p.id, p.code, p.name, p.spec or "", p.unit_price if prices and p.unit_price else None,
                          bool(p.picture))
            for p in rows]


def in_catalogue(session: Session, customer_id: int, product_id: int) -> Product | None:
    """The product when this customer's catalogue has it, else None."""
    ordered = select(Order.id).where(Order.customer_id == customer_id, Order.product_id == product_id).limit(1)
    enabled = select(ShopProduct.product_id).where(ShopProduct.customer_id == customer_id,
                                                   ShopProduct.product_id == product_id)
    if session.exec(ordered).first() is None and session.exec(enabled).first() is None:
        return None
    return session.get(Product, product_id)


def earliest_promise_date(session: Session, settings, customer_id: int, *, now: datetime | None = None,
                          lines: list[tuple[int, int]] | None = None) -> date:
    """The earliest delivery date the factory offers this customer for `lines` ((product id, quantity) pairs,
    planned together); None: the earliest any order from the catalogue could have."""
    now = now or utcnow()
    today = now.astimezone(settings.tz).date()
    cal = calendar_for(session, settings)
    ready = cal.add_working_days(today, settings.shop.lead_days)
    if lines is None:
        groups = [[(i.product_id, 1)] for i in catalogue_for(session, customer_id)]
        finishes = _planned_finishes(session, settings, groups, now)
        finished = None if not finishes or None in finishes else min(finishes)
    else:
        [finished] = _planned_finishes(session, settings, [lines], now)
    if finished is not None and finished > ready:
        ready = finished if cal.is_workday(finished) else cal.next_workday(finished)
    buffer = buffer_for(session, customer_id, now=now, settings=settings)
    if buffer.enough_data and buffer.suggested_days:
        ready = cal.add_working_days(ready, buffer.suggested_days)
    return ready


def _planned_finishes(session: Session, settings, groups: list[list[tuple[int, int]]], now: datetime
                      ) -> list[date | None]:
    """Per group of (product id, quantity): the day its products would be finished if scheduled now, after the
    open tasks already on their lines (each group on its own copy of that load); None when it has no route
    step to plan. A product that cannot fit within the planning horizon is left to the reviewer (logged)."""
    ids = {pid for group in groups for pid, _ in group}
    routes: dict[int, list[RouteStep]] = {pid: [] for pid in ids}
    if ids:
        for step in session.exec(select(RouteStep).where(RouteStep.product_id.in_(ids))
                                 .order_by(RouteStep.product_id, RouteStep.seq)).all():
            routes[step.product_id].append(step)
    if not any(routes.values()):
        return [None] * len(groups)
    plan_lines = lines_for(session, settings)
    planned = line_load(session, plan_lines, now)
    tz = plan_lines.factory_calendar.tz
    out: list[date | None] = []
    for group in groups:
        load, end = dict(planned), None
        for pid, quantity in group:
            route = routes[pid]
            if not route:
                continue
            try:
                slots = build_plan(route, [step.line or "" for step in route], quantity, plan_lines, now, load)
            except InvalidInput:
                log.warning("product %s × %s cannot be planned within the horizon", pid, quantity)
                continue
            if slots:
                done = slots[-1].end.astimezone(tz).date()
                end = max(end, done) if end else done
        out.append(end)
    return out
