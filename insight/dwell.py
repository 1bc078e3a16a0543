"""Time spent in each status, from the status history: each status change opens a stay, the next
change closes it. Percentiles run in the database on PostgreSQL (percentile_cont), in Python on SQLite."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlmodel import Session

from core.types import UTCDateTime
from insight.period import Period
from insight.stats import percentile, round_or_none
from orders.models import Order, StatusEvent

SE = StatusEvent.__table__


def stays(period: Period):
    """Subquery of stays (order_id, status, hours) that ended inside the period."""
    changed_orders = select(SE.c.order_id).where(SE.c.at >= period.start, SE.c.at < period.end)
    if period.customer_id:
        changed_orders = changed_orders.where(SE.c.order_id.in_(
            select(Order.id).where(Order.customer_id == period.customer_id)))
    left_at = func.lead(SE.c.at, type_=UTCDateTime()).over(partition_by=SE.c.order_id, order_by=(SE.c.at, SE.c.id))
    changes = (select(SE.c.order_id, SE.c.to_status.label("status"), SE.c.at.label("entered_at"),
                      left_at.label("left_at"))
               .where(SE.c.from_status.is_distinct_from(SE.c.to_status), SE.c.order_id.in_(changed_orders))
               .subquery())
    return changes


def _hours(dialect: str, changes):
    if dialect == "postgresql":
        return func.extract("epoch", changes.c.left_at - changes.c.entered_at) / 3600.0
    return (func.julianday(changes.c.left_at) - func.julianday(changes.c.entered_at)) * 24.0


def dwell_by_status(session: Session, period: Period) -> list[dict]:
    """Per status: number of stays ended in the period and their p50 / p90 hours."""
    changes = stays(period)
    dialect = session.get_bind().dialect.name
    hours = _hours(dialect, changes)
    ended = (changes.c.left_at >= period.start, changes.c.left_at < period.end)
    out: dict[str, dict] = {}
    if dialect == "postgresql":
        stmt = (select(changes.c.status, func.count(), func.percentile_cont(0.5).within_group(hours),
                       func.percentile_cont(0.9).within_group(hours))
                .where(*ended).group_by(changes.c.status))
        for status, n, p50, p90 in session.execute(stmt).all():
            out[status] = {"status": status, "stays": n, "p50_hours": round_or_none(float(p50)),
                           "p90_hours": round_or_none(float(p90))}
    else:
        values: dict[str, list[float]] = {}
        for status, h in session.execute(select(changes.c.status, hours).where(*ended)).all():
            values.setdefault(status, []).append(float(h))
        for status, hs in values.items():
            out[status] = {"status": status, "stays": len(hs), "p50_hours": round_or_none(percentile(hs, 0.5)),
                           "p90_hours": round_or_none(percentile(hs, 0.9))}
    return list(out.values())
