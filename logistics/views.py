"""Read side of the customer tracking page: only what a customer may see of one order.

Never here: prices, internal notes, QC defects, staff names or phones, suppliers, other orders.
The page gets a plain dict built field by field (no model objects reach the template).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from logistics import texts
from logistics.models import TraceLine, Waybill
from orders.flow import SELF_PICKUP
from orders.models import Order, Product, StatusEvent

MAX_TRACES = 10


def _fmt(dt: datetime | None, tz: ZoneInfo, pattern: str = "%m-%d %H:%M") -> str:
    return dt.astimezone(tz).strftime(pattern) if dt else ""


def milestones(session: Session, order: Order, tz: ZoneInfo) -> list[dict]:
    """The customer-facing timeline: label, state (done | current | todo) and when it was reached."""
    current = texts.MILESTONE_OF_STATUS.get(order.status, 0)
    reached: dict[int, datetime] = {0: order.created_at}
    events = session.exec(select(StatusEvent.to_status, StatusEvent.at)
                          .where(StatusEvent.order_id == order.id).order_by(StatusEvent.id)).all()
    for to_status, at in events:
        m = texts.MILESTONE_OF_STATUS.get(to_status, -1)
        if m > 0 and m <= current:
            reached.setdefault(m, at)
    out = []
    for i, label in enumerate(texts.MILESTONES):
        state = "done" if i < current else "current" if i == current else "todo"
        out.append({"label": label, "state": state, "at": _fmt(reached.get(i), tz) if i <= current else ""})
    return out


def tracking_page(session: Session, order: Order, tz: ZoneInfo, company: str) -> dict:
    """Everything the tracking page shows, as plain values."""
    product = session.get(Product, order.product_id)
    waybill = session.exec(select(Waybill).where(Waybill.order_id == order.id)).first()
    lines = session.exec(select(TraceLine).where(TraceLine.order_id == order.id)
                         .order_by(TraceLine.at.desc(), TraceLine.id.desc()).limit(MAX_TRACES)).all()
    cancelled = order.status == "cancelled"
    current_area = (waybill.current_area if waybill else "") or next((x.area for x in lines if x.area), "")
    shown_status = texts.MILESTONES[texts.MILESTONE_OF_STATUS.get(order.status, 0)] if not cancelled else "已取消"
    return {
        "company": company,
        "order_no": order.order_no,
        "product": f"{product.name}（{product.code}）" if product else "",
        "quantity": texts.quantity_text(order.quantity),
        "status": shown_status,
        "cancelled": cancelled,
        "promised_date": order.promised_date.isoformat() if order.promised_date else "",
        "carrier": order.carrier or "",
        "tracking_no": order.tracking_no or (texts.SELF_PICKUP_TEXT if order.carrier == SELF_PICKUP else ""),
        "shipped_at": _fmt(order.shipped_at, tz, "%Y-%m-%d %H:%M"),
        "eta": order.eta.isoformat() if order.eta else "",
        "delivered_at": _fmt(order.delivered_at, tz, "%Y-%m-%d %H:%M"),
        "current_area": current_area,
        "milestones": [] if cancelled else milestones(session, order, tz),
        "traces": [{"at": _fmt(x.at, tz), "context": x.context, "area": x.area} for x in lines],
        "texts": {"title": texts.PAGE_TITLE, "cancelled": texts.CANCELLED_TEXT, "no_traces": texts.NO_TRACES_TEXT},
    }
