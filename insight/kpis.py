"""The factory health figures of the dashboard, each computed over one `Period` (see texts.KPIS for
the definition of each). Functions take a session and a period and return plain dicts."""

from __future__ import annotations

from datetime import date

from sqlalchemy import case, func
from sqlmodel import Session, select

from alerts.models import Alert
from bot.models import InboundMessage
from insight import texts
from insight.dwell import dwell_by_status
from insight.period import Period
from insight.stats import percentile, rate, round_or_none
from notify.models import Notification
from orders.models import Order, QcInspection, StatusEvent
from orders.status import LABELS, Status
from workcal.calendar import Calendar

AT_RISK_WORKDAYS = 2
LEAD_CAP_DAYS = 60
DONE = (Status.DELIVERED, Status.COMPLETED, Status.CANCELLED)
NOT_YET_STOCKED = tuple(s for s in Status if s not in (*DONE, Status.IN_STOCK, Status.SHIPPED, Status.IN_TRANSIT))
ORDER_STATUS = [s.value for s in Status]


def _orders(stmt, period: Period, model=Order):
    """Restrict an order query to the period's customer, when one is chosen."""
    if period.customer_id:
        stmt = stmt.where(model.customer_id == period.customer_id)
    return stmt


def _for_customer(stmt, period: Period, order_id_col):
    """Restrict a query on a table with an order_id to the period's customer."""
    if period.customer_id:
        stmt = stmt.where(order_id_col.in_(select(Order.id).where(Order.customer_id == period.customer_id)))
    return stmt


def delivered_rows(session: Session, period: Period) -> list[tuple]:
    """(id, created_at, delivered_at, promised_date) of orders delivered in the period."""
    stmt = select(Order.id, Order.created_at, Order.delivered_at, Order.promised_date).where(
        Order.delivered_at >= period.start, Order.delivered_at < period.end)
    return session.exec(_orders(stmt, period)).all()


def is_on_time(delivered_at, promised: date, period: Period) -> bool:
    """Delivered on or before the promised date, in the business time zone."""
    return delivered_at.astimezone(period.tz).date() <= promised


def delivery(session: Session, period: Period) -> dict:
    """On-time rate, lead time (avg, p90 days) and the daily trend of orders delivered in the period."""
    rows = delivered_rows(session, period)
    on_time = sum(1 for _, _, at, promised in rows if is_on_time(at, promised, period))
    leads = [(at - created).total_seconds() / 86400 for _, created, at, _ in rows]
    per_day: dict[str, list[int]] = {}
    for _, _, at, promised in rows:
        day = per_day.setdefault(at.astimezone(period.tz).date().isoformat(), [0, 0])
        day[0] += 1
        day[1] += is_on_time(at, promised, period)
    trend = [{"day": d, "delivered": n, "on_time": k, "on_time_rate": rate(k, n)}
             for d, (n, k) in sorted(per_day.items())]
    return {"delivered": len(rows), "on_time": on_time, "on_time_rate": rate(on_time, len(rows)),
            "lead_avg_days": round_or_none(sum(leads) / len(leads) if leads else None),
            "lead_p90_days": round_or_none(percentile(leads, 0.9)), "trend": trend,
            "lead_histogram": lead_histogram(leads)}


def lead_histogram(leads: list[float], cap: int = LEAD_CAP_DAYS) -> list[dict]:
    """Orders per whole day of lead time (the last bin holds everything from `cap` days on)."""
    bins: dict[int, int] = {}
    for x in leads:
        bins[min(int(x), cap)] = bins.get(min(int(x), cap), 0) + 1
    return [{"days": d, "label": f"{d} 天以上" if d == cap else f"{d}–{d + 1} 天", "orders": n}
            for d, n in sorted(bins.items())]


def status_now(session: Session, period: Period) -> list[dict]:
    """Orders per status now (not completed or cancelled), in flow order."""
    stmt = select(Order.status, func.count()).where(Order.status.not_in(
        [Status.COMPLETED.value, Status.CANCELLED.value])).group_by(Order.status)
    counts = dict(session.exec(_orders(stmt, period)).all())
    return [{"status": s, "label": LABELS[Status(s)], "orders": counts[s]} for s in ORDER_STATUS if s in counts]


def late_query(period: Period):
    """Orders not delivered, completed or cancelled whose promised date is before today."""
    return _orders(select(Order).where(Order.status.not_in([s.value for s in DONE]),
                                       Order.promised_date < period.today), period)


def at_risk_query(period: Period, cal: Calendar):
    """Orders not yet in stock whose promised date is within the next AT_RISK_WORKDAYS working days."""
    horizon = cal.add_working_days(period.today, AT_RISK_WORKDAYS)
    return _orders(select(Order).where(Order.status.in_([s.value for s in NOT_YET_STOCKED]),
                                       Order.promised_date >= period.today, Order.promised_date <= horizon), period)


def late_and_at_risk(session: Session, period: Period, cal: Calendar) -> dict:
    """How many orders are late and how many are at risk now."""
    def count(q):
        return session.exec(select(func.count()).select_from(q.subquery())).one()

    return {"late": count(late_query(period)), "at_risk": count(at_risk_query(period, cal)),
            "at_risk_workdays": AT_RISK_WORKDAYS}


def alerts(session: Session, period: Period) -> dict:
    """Alerts raised in the period: acked, escalated, and hours from raise to ack."""
    stmt = _for_customer(select(Alert.raised_at, Alert.acked_at, Alert.escalation_level).where(
        Alert.raised_at >= period.start, Alert.raised_at < period.end), period, Alert.order_id)
    rows = session.exec(stmt).all()
    ack_hours = [(acked - raised).total_seconds() / 3600 for raised, acked, _ in rows if acked is not None]
    return {"raised": len(rows), "acked": len(ack_hours), "escalated": sum(1 for *_, lvl in rows if lvl > 0),
            "ack_avg_hours": round_or_none(sum(ack_hours) / len(ack_hours) if ack_hours else None),
            "ack_p90_hours": round_or_none(percentile(ack_hours, 0.9))}


def first_inspected_orders(period: Period):
    """Ids of orders whose first QC inspection falls in the period (inspected in it, never before it)."""
    q, earlier = QcInspection.__table__, QcInspection.__table__.alias("earlier")
    before = select(earlier.c.id).where(earlier.c.order_id == q.c.order_id, earlier.c.at < period.start).exists()
    stmt = select(q.c.order_id).where(q.c.at >= period.start, q.c.at < period.end, ~before).distinct()
    return _for_customer(stmt, period, q.c.order_id)


def qc(session: Session, period: Period) -> dict:
    """First-pass yield and rework rate of the orders first inspected in the period."""
    q = QcInspection.__table__
    nth = func.row_number().over(partition_by=q.c.order_id, order_by=(q.c.at, q.c.id))
    ever_failed = func.max(case((q.c.result == "fail", 1), else_=0)).over(partition_by=q.c.order_id)
    ranked = select(q.c.result, nth.label("nth"), ever_failed.label("failed")).where(
        q.c.order_id.in_(first_inspected_orders(period))).subquery()
    n, passed, failed = session.execute(select(
        func.count(), func.coalesce(func.sum(case((ranked.c.result == "pass", 1), else_=0)), 0),
        func.coalesce(func.sum(ranked.c.failed), 0)).where(ranked.c.nth == 1)).one()
    return {"inspected_orders": n, "first_pass": passed, "first_pass_yield": rate(passed, n),
            "reworked": failed, "rework_rate": rate(failed, n)}


def _shares(counts: dict[str, int], labels: dict[str, str]) -> list[dict]:
    total = sum(counts.values())
    return [{"code": k, "label": labels.get(k, "其他"), "count": n, "share": rate(n, total)}
            for k, n in sorted(counts.items(), key=lambda kv: -kv[1])]


def sources(session: Session, period: Period) -> list[dict]:
    """Status records of the period by where they came from (chat, scan, web, api …)."""
    stmt = _for_customer(select(StatusEvent.source, func.count()).where(
        StatusEvent.at >= period.start, StatusEvent.at < period.end).group_by(StatusEvent.source),
        period, StatusEvent.order_id)
    return _shares(dict(session.exec(stmt).all()), texts.SOURCE_LABELS)


def notifications(session: Session, period: Period) -> dict:
    """Notifications created in the period: sent / (sent + failed), and every status counted."""
    stmt = select(Notification.status, func.count()).where(
        Notification.created_at >= period.start, Notification.created_at < period.end).group_by(Notification.status)
    counts = dict(session.exec(stmt).all())
    sent, failed = counts.get("sent", 0), counts.get("failed", 0)
    return {"total": sum(counts.values()), "sent": sent, "failed": failed, "success_rate": rate(sent, sent + failed),
            "by_status": _shares(counts, texts.NOTIFY_STATUS_LABELS)}


def chat(session: Session, period: Period) -> dict:
    """Chat messages received in the period: understood (processed) vs answered with help (ignored)."""
    stmt = select(InboundMessage.status, func.count()).where(
        InboundMessage.received_at >= period.start, InboundMessage.received_at < period.end
    ).group_by(InboundMessage.status)
    counts = dict(session.exec(stmt).all())
    total = sum(counts.values())
    understood = counts.get("processed", 0)
    return {"total": total, "understood": understood, "help": counts.get("ignored", 0),
            "understood_rate": rate(understood, total), "by_status": _shares(counts, texts.CHAT_STATUS_LABELS)}


def dwell(session: Session, period: Period) -> list[dict]:
    """Stays per status (p50 / p90 hours), in flow order, with Chinese labels."""
    found = {row["status"]: row for row in dwell_by_status(session, period)}
    return [{**found[s], "label": LABELS[Status(s)]} for s in ORDER_STATUS if s in found]


def dashboard(session: Session, period: Period, cal: Calendar) -> dict:
    """Every figure of the dashboard in one dict (the page and GET /api/insight/dashboard)."""
    return {"period": {"start": period.start, "end": period.end, "days": period.days,
                       "customer_id": period.customer_id},
            "delivery": delivery(session, period), "status_now": status_now(session, period),
            "dwell": dwell(session, period), "late": late_and_at_risk(session, period, cal),
            "alerts": alerts(session, period), "qc": qc(session, period), "sources": sources(session, period),
            "notifications": notifications(session, period), "chat": chat(session, period)}


FIGURES = {"delivery": delivery, "status_now": status_now, "dwell": dwell, "alerts": alerts, "qc": qc,
           "sources": sources, "notifications": notifications, "chat": chat}
