"""Read models of the sales and warehouse boards (the planning board has its own module)."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy import case, exists, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, func, select

from orders.materials import whole_units
from orders.models import Customer, Material, Order, Product, Staff, StatusEvent
from orders.status import Status

FOLLOW_UP_DAYS = 7
URGENT_LIMIT = 30
# Not yet with the customer: the sales side still has to chase these.
BEFORE_DELIVERY = [s.value for s in Status if s not in
                   (Status.DELIVERED, Status.COMPLETED, Status.CANCELLED)]
_Owner = aliased(Staff)


def _follow_up(today: date):
    """Open orders due within FOLLOW_UP_DAYS (or late), plus every order still waiting for review."""
    return (Order.status.in_(BEFORE_DELIVERY),
            or_(Order.promised_date <= today + timedelta(days=FOLLOW_UP_DAYS),
                Order.status == Status.PENDING_REVIEW.value))


def sales_board(session: Session, today: date) -> dict:
    """Orders needing follow-up, counted by customer, region and salesperson, and the most urgent."""
    where = _follow_up(today)
    late = func.sum(case((Order.promised_date < today, 1), else_=0))
    groups = {}
    for key, col in (("customer", Customer.name), ("region", Customer.region), ("owner", _Owner.name)):
        stmt = (select(col, func.count(Order.id), late).select_from(Order)
                .join(Customer, Customer.id == Order.customer_id)
                .outerjoin(_Owner, _Owner.id == Order.sales_owner_id)
                .where(*where).group_by(col).order_by(func.count(Order.id).desc()))
        groups[key] = [{"name": name or "（未填）", "count": n, "late": int(lt or 0)}
                       for name, n, lt in session.exec(stmt).all()]
    # Orders the customer placed through the ordering link: their creating status event says source `customer`.
    by_customer = exists().where(StatusEvent.order_id == Order.id, StatusEvent.command == "create",
                                 StatusEvent.source == "customer")
    urgent_stmt = (select(Order, Customer.name, _Owner.name, by_customer)
                   .join(Customer, Customer.id == Order.customer_id)
                   .outerjoin(_Owner, _Owner.id == Order.sales_owner_id).where(*where)
                   .order_by(Order.promised_date, Order.id).limit(URGENT_LIMIT))
    urgent = [{"order_no": o.order_no, "customer": c, "owner": w or "", "status": o.status,
               "status_label": Status(o.status).label, "promised_date": o.promised_date,
               "late": o.promised_date < today, "quantity": o.quantity, "source": "customer" if mine else "",
               "planned_start": o.planned_start}
              for o, c, w, mine in session.exec(urgent_stmt).all()]
    total = sum(g["count"] for g in groups["customer"])
    late_total = sum(g["late"] for g in groups["customer"])
    biggest = {key: max((g["count"] for g in rows), default=0) for key, rows in groups.items()}
    return {"groups": groups, "urgent": urgent, "total": total, "late": late_total, "max": biggest}


def warehouse_board(session: Session) -> dict:
    """Orders waiting to ship, with packaging material needed against stock; shortages marked.

    Counts are whole units: each order's need is rounded up (a started box is a box), stock and
    shortages likewise (a fraction of a pallet on hand cannot pack one)."""
    ready = or_(Order.status == Status.IN_STOCK.value,
                (Order.status == Status.PENDING_QC.value) & Order.qc_passed_at.is_not(None))
    stmt = (select(Order, Customer.name, Product, Material).join(Customer, Customer.id == Order.customer_id)
            .join(Product, Product.id == Order.product_id)
            .outerjoin(Material, Material.id == Product.packaging_material_id)
            .where(ready).order_by(Order.promised_date, Order.id))
    orders, materials = [], {}
    allocated: dict[int, int] = defaultdict(int)
    for order, customer, product, material in session.exec(stmt).all():
        need = whole_units((product.packaging_per_unit or 0) * order.quantity) if material else 0
        short = False
        if material is not None:
            m = materials.setdefault(material.id, {"code": material.code, "name": material.name,
                                                   "unit": material.unit, "need": 0, "orders": 0,
                                                   "stock": math.floor(material.stock_on_hand + 1e-6)})
            m["need"] += need
            m["orders"] += 1
            allocated[material.id] += need
            short = allocated[material.id] > m["stock"]  # earliest due date served first
        orders.append({"order_no": order.order_no, "customer": customer, "product": product.code,
                       "product_name": product.name, "quantity": order.quantity,
                       "promised_date": order.promised_date, "status": order.status,
                       "status_label": Status(order.status).label, "material": material.name if material else "",
                       "need": need, "unit": material.unit if material else "", "short": short})
    mats = sorted(materials.values(), key=lambda m: (m["stock"] - m["need"], m["code"]))
    for m in mats:
        m["shortage"] = max(0, m["need"] - m["stock"])
    return {"orders": orders, "materials": mats, "short_orders": sum(1 for o in orders if o["short"]),
            "short_materials": sum(1 for m in mats if m["shortage"] > 0)}
