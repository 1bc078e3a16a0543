"""Time spent in each status, read from the stays summary (insight.summaries keeps it up to date from
the status history). Percentiles run in the database on PostgreSQL (percentile_cont), in Python on SQLite."""

from __future__ import annotations

from sqlalchemy import func, literal, select, union_all
from sqlmodel import Session

from insight.filters import order_conditions
from insight.models import InsightStay
from insight.period import Period
from insight.stats import percentile, round_or_none
from orders.models import Order
from orders.status import Status

STAY = InsightStay.__table__


def ended_in(period: Period):
    """Conditions: the stay ended inside the period (and belongs to one of the period's filtered orders)."""
    where = [STAY.c.left_at >= period.start, STAY.c.left_at < period.end]
    if period.filtered:
        where.append(STAY.c.order_id.in_(select(Order.id).where(*order_conditions(period))))
    return where


def dwell_by_status(session: Session, period: Period) -> list[dict]:
    """Per status: number of stays ended in the period and their p50 / p90 hours."""
    hours = STAY.c.seconds / 3600.0
    out: dict[str, dict] = {}
    if session.get_bind().dialect.name == "postgresql":
        aggs = (func.count(), func.percentile_cont(0.5).within_group(hours), func.percentile_cont(0.9).within_group(hours))
        if period.filtered:  # fewer stays: one grouped query
            stmt = select(STAY.c.status, *aggs).where(*ended_in(period)).group_by(STAY.c.status)
        else:  # one index range per status: sorting each status's lengths beats sorting all stays by status
            stmt = union_all(*(select(literal(s.value), *aggs).where(STAY.c.status == s.value, *ended_in(period))
                               for s in Status))
        for status, n, p50, p90 in session.execute(stmt).all():
            if n:
                out[status] = {"status": status, "stays": n, "p50_hours": round_or_none(float(p50)),
                               "p90_hours": round_or_none(float(p90))}
    else:
        values: dict[str, list[float]] = {}
        for status, h in session.execute(select(STAY.c.status, hours).where(*ended_in(period))).all():
            values.setdefault(status, []).append(float(h))
        for status, hs in values.items():
            out[status] = {"status": status, "stays": len(hs), "p50_hours": round_or_none(percentile(hs, 0.5)),
                           "p90_hours": round_or_none(percentile(hs, 0.9))}
    return list(out.values())
