"""Read side: orders as plain dicts for the API, chat answers and pages."""

from __future__ import annotations

from sqlalchemy import or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, func, select

from orders import texts
from orders.models import Customer, Order, Product, Staff, StatusEvent
from orders.status import Status

_Owner = aliased(Staff)


def _base():
    return (
        select(Order, Customer.name, Product.code, Product.name, _Owner.name)
        .join(Customer, Customer.id == Order.customer_id)
        .join(Product, Product.id == Order.product_id)
        .outerjoin(_Owner, _Owner.id == Order.sales_owner_id)
    )


def _as_dict(row) -> dict:
    order, customer, product_code, product_name, owner = row
    return {
        "order_no": order.order_no, "erp_no": order.erp_no, "status": order.status,
        "status_label": Status(order.status).label, "customer": customer, "product": product_code,
        "product_name": product_name, "quantity": order.quantity, "promised_date": order.promised_date,
        "priority": order.priority, "sales_owner": owner, "line": order.line,
        "planned_start": order.planned_start, "planned_end": order.planned_end, "carrier": order.carrier,
        "tracking_no": order.tracking_no, "shipped_at": order.shipped_at, "picked_up_at": order.picked_up_at,
        "delivered_at": order.delivered_at, "eta": order.eta, "qc_passed": order.qc_passed_at is not None,
        "created_at": order.created_at, "updated_at": order.updated_at, "updated_by": order.updated_by,
        "version": order.version, "id": order.id,
    }


def order_dict(session: Session, order_id: int) -> dict | None:
    row = session.exec(_base().where(Order.id == order_id)).first()
    return _as_dict(row) if row else None


def list_orders(session: Session, *, status: str | None = None, customer: str | None = None,
                q: str | None = None, limit: int = 50, offset: int = 0) -> list[dict]:
    """Orders newest first, filtered by status, customer name and a search text."""
    return [_as_dict(r) for r in session.exec(filtered(status=status, customer=customer, q=q)
                                               .limit(limit).offset(offset)).all()]


def filtered(*, status: str | None = None, customer: str | None = None, q: str | None = None):
    """The orders query (newest first) of list_orders' filters; rows go through `as_dict`."""
    stmt = _base()
    if status:
        stmt = stmt.where(Order.status == status)
    if customer:
        stmt = stmt.where(or_(Customer.name == customer, Customer.short_name == customer))
    if q:
        like = f"%{q.strip().upper()}%"
        stmt = stmt.where(or_(Order.order_no.like(like), func.upper(Order.erp_no).like(like),
                              Customer.name.like(f"%{q.strip()}%")))
    return stmt.order_by(Order.id.desc())


def as_dict(row) -> dict:
    """One row of `filtered` as the API's order dict."""
    return _as_dict(row)


def status_events(session: Session, order_id: int) -> list[dict]:
    """Status events of an order, oldest first, as dicts; a progress report carries `change`
    ("焊接 60% → 92%": the process's previous report, 0 % at first and after a rework restart)."""
    stmt = select(StatusEvent).where(StatusEvent.order_id == order_id).order_by(StatusEvent.id)
    out, last = [], {}
    for e in session.exec(stmt).all():
        row = e.model_dump()
        data = e.data if isinstance(e.data, dict) else {}
        if e.from_status == "rework" and e.to_status != "rework":  # a rework pass reports afresh
            last.clear()
        if e.command == "report" and data.get("process") and data.get("percent") is not None:
            process, percent = str(data["process"]), float(data["percent"])
            row["change"] = texts.progress_change(process, last.get(process, 0.0), percent)
            last[process] = percent
        out.append(row)
    return out
