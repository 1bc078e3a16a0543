"""The dashboard's order filters — customer, customer level, product line, salesperson (the order's
sales owner) and production line (the line the order is planned on): the SQL conditions each figure and
list applies, the check that a chosen value exists, and the choices the filter form offers.

Figures about records that belong to an order (stays, inspections, status records, alerts,
notifications) keep the records of the orders the filters select; chat messages belong to no order, so
no order filter applies to them (`UNFILTERED`), and notifications sent about no order drop out of a
filtered view (`ORDER_ONLY`)."""

from __future__ import annotations

from sqlalchemy import exists, union
from sqlmodel import Session, select

from insight import texts
from insight.period import Period
from orders.exceptions import OrderError
from orders.models import Customer, Order, Product, Staff
from workcal.models import ProductionLine

UNFILTERED = ("chat", "chat_help")  # figures and lists no order filter can narrow
ORDER_ONLY = ("notifications", "notifications_failed")  # filtered: only the records tied to an order


class BadFilter(OrderError):
    """A filter value that names nothing the factory has (an unknown customer, level, line …)."""

    http_status = 400
    code = "bad_filter"


def order_conditions(period: Period) -> list:
    """WHERE conditions on Order selecting the orders of the period's filters (none: every order)."""
    conds = []
    if period.customer_id:
        conds.append(Order.customer_id == period.customer_id)
    if period.customer_level:
        conds.append(Order.customer_id.in_(select(Customer.id).where(Customer.level == period.customer_level)))
    if period.product_line:
        conds.append(Order.product_id.in_(select(Product.id).where(Product.product_line == period.product_line)))
    if period.sales_owner_id:
        conds.append(Order.sales_owner_id == period.sales_owner_id)
    if period.line:
        conds.append(Order.line == period.line)
    return conds


def restrict_orders(stmt, period: Period):
    """A query on Order narrowed to the filtered orders."""
    conds = order_conditions(period)
    return stmt.where(*conds) if conds else stmt


def restrict_by_order(stmt, period: Period, order_id_col):
    """A query on a table with an order id narrowed to the records of the filtered orders."""
    conds = order_conditions(period)
    return stmt.where(order_id_col.in_(select(Order.id).where(*conds))) if conds else stmt


def _known(session: Session, period: Period) -> dict[str, bool]:
    """Per filter that is set: whether its value names something that exists."""
    checks = {
        "customer_id": lambda v: session.get(Customer, v) is not None,
        "customer_level": lambda v: session.exec(select(exists().where(Customer.level == v))).one(),
        "product_line": lambda v: session.exec(select(exists().where(Product.product_line == v))).one(),
        "sales_owner_id": lambda v: session.get(Staff, v) is not None,
        "line": lambda v: session.exec(select(exists().where(ProductionLine.name == v))).one()
        or session.exec(select(exists().where(Order.line == v))).one(),
    }
    return {k: bool(checks[k](v)) for k, v in period.filters.items()}


def check(session: Session, period: Period) -> None:
    """Raise BadFilter (400) when a filter names an unknown customer, level, product line, person or line."""
    for name, ok in _known(session, period).items():
        if not ok:
            raise BadFilter(texts.BAD_FILTER.format(what=texts.FILTER_LABELS[name], value=period.filters[name]),
                            field=name)


def choices(session: Session) -> dict[str, list[tuple]]:
    """The values the filter form offers: (value, label) per filter, in a stable order."""
    customers = session.exec(select(Customer.id, Customer.name).order_by(Customer.name)).all()
    levels = session.exec(select(Customer.level).where(Customer.level != "").distinct().order_by(Customer.level)).all()
    product_lines = session.exec(select(Product.product_line).where(Product.product_line != "").distinct()
                                 .order_by(Product.product_line)).all()
    # people who own an order (an index probe each), so a salesperson who left still appears
    sales = session.exec(select(Staff.id, Staff.name).where(exists().where(Order.sales_owner_id == Staff.id))
                         .order_by(Staff.name)).all()
    names = union(select(ProductionLine.name.label("name")),
                  select(Order.line.label("name")).where(Order.line.is_not(None), Order.line != "")).subquery()
    lines = session.execute(select(names.c.name).order_by(names.c.name)).scalars().all()
    return {"customer_id": [tuple(c) for c in customers], "customer_level": [(v, v) for v in levels],
            "product_line": [(v, v) for v in product_lines], "sales_owner_id": [tuple(p) for p in sales],
            "line": [(v, v) for v in lines]}
