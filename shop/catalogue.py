"""What a customer may order through the link, and the earliest date the factory offers.

`earliest_promise_date` is the ONE place that answers "how soon can we promise?": today, plus the
lead time in working days (workcal), plus the customer's delivery buffer (insight) when there is
enough history. A capacity-aware scheduler can replace this function without touching the pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, select

from core.types import utcnow
from insight.buffer import buffer_for
from orders.models import Order, Product
from shop.models import ShopCustomer, ShopProduct
from workcal.service import calendar_for


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


def earliest_promise_date(session: Session, settings, customer_id: int, *, now: datetime | None = None) -> date:
    """The earliest delivery date the factory offers this customer: lead days + delivery buffer, in working days."""
    now = now or utcnow()
    today = now.astimezone(settings.tz).date()
    days = settings.shop.lead_days
    buffer = buffer_for(session, customer_id, now=now, settings=settings)
    if buffer.enough_data and buffer.suggested_days:
        days += buffer.suggested_days
    return calendar_for(session, settings).add_working_days(today, days)
