"""The factory health figures of the dashboard, each computed over one `Period` (see texts.KPIS for
the definition of each). Functions take a session and a period and return plain dicts."""

from __future__ import annotations

from datetime import UTC, date, timedelta

from sqlalchemy import Date, Float, and_, case, cast, func, or_, tuple_, union_all
from sqlmodel import Session, select

from alerts.models import Alert
from bot.models import InboundMessage
from insight import filters, lineload, summaries, texts
from insight.dwell import dwell_by_status
from insight.period import Period
from insight.stats import percentile, rate, round_or_none
from notify.models import Notification
from orders.models import Order, QcInspection, StatusEvent
from orders.status import LABELS, Status
from workcal.calendar import Calendar
from workcal.lines import Lines

AT_RISK_WORKDAYS = 2
LEAD_CAP_DAYS = 60
DONE = (Status.DELIVERED, Status.COMPLETED, Status.CANCELLED)
NOT_YET_STOCKED = tuple(s for s in Status if s not in (*DONE, Status.IN_STOCK, Status.SHIPPED, Status.IN_TRANSIT))
ORDER_STATUS = [s.value for s in Status]


def _orders(stmt, period: Period):
    """Restrict an order query to the period's filtered orders (customer, level, product line …)."""
    return filters.restrict_orders(stmt, period)


def _for_orders(stmt, period: Period, order_id_col):
    """Restrict a query on a table with an order_id to the records of the period's filtered orders."""
    return filters.restrict_by_order(stmt, period, order_id_col)


def delivered_rows(session: Session, period: Period, *, with_created: bool = True) -> list[tuple]:
    """(id, created_at, delivered_at, promised_date) of orders delivered in the period (no created_at
    when not `with_created`)."""
    columns = (Order.id, Order.created_at) if with_created else (Order.id,)
    stmt = select(*columns, Order.delivered_at, Order.promised_date).where(
        Order.delivered_at >= period.start, Order.delivered_at < period.end)
    return session.exec(_orders(stmt, period)).all()


def is_on_time(delivered_at, promised: date, period: Period) -> bool:
    """Delivered on or before the promised date, in the business time zone."""
    return delivered_at.astimezone(period.tz).date() <= promised


def delivery(session: Session, period: Period) -> dict:
    """On-time rate, lead time (avg, p90 days) and the daily trend of orders delivered in the period."""
    if session.get_bind().dialect.name == "postgresql":
        return _delivery_in_database(session, period)
    return _delivery_in_python(session, period)


def _delivery_in_python(session: Session, period: Period) -> dict:
    rows = delivered_rows(session, period)
    on_time = sum(1 for _, _, at, promised in rows if is_on_time(at, promised, period))
    leads = [(at - created).total_seconds() / 86400 for _, created, at, _ in rows]
    per_day: dict[str, list[int]] = {}
    for _, _, at, promised in rows:
        day = per_day.setdefault(at.astimezone(period.tz).date().isoformat(), [0, 0])
        day[0] += 1
        day[1] += is_on_time(at, promised, period)
    return _delivery_figure(len(rows), on_time, sum(leads), percentile(leads, 0.9), per_day, lead_histogram(leads))


def _delivery_figure(n: int, on_time: int, lead_sum: float, lead_p90, per_day: dict, histogram: list) -> dict:
    trend = [{"day": d, "delivered": k, "on_time": t, "on_time_rate": rate(t, k)}
             for d, (k, t) in sorted(per_day.items())]
    return {"delivered": n, "on_time": on_time, "on_time_rate": rate(on_time, n),
            "lead_avg_days": round_or_none(lead_sum / n if n else None),
            "lead_p90_days": round_or_none(lead_p90), "trend": trend, "lead_histogram": histogram}


def _delivery_in_database(session: Session, period: Period) -> dict:
    """The same figure aggregated by PostgreSQL: one pass grouped by local day, by lead-time bin and in
    total, instead of carrying every delivered order into Python (3-4 times faster at 90-365 days)."""
    day = cast(func.timezone(period.tz.key, Order.delivered_at), Date)
    lead = cast(func.extract("epoch", Order.delivered_at - Order.created_at), Float) / 86400.0
    rows = _orders(select(day.label("day"), case((day <= Order.promised_date, 1), else_=0).label("on_time"),
                          lead.label("lead")).where(Order.delivered_at >= period.start,
                                                    Order.delivered_at < period.end), period).subquery()
    lead_bin = func.least(func.trunc(rows.c.lead), LEAD_CAP_DAYS)
    stmt = select(func.grouping(rows.c.day), func.grouping(lead_bin), rows.c.day, lead_bin, func.count(),
                  func.sum(rows.c.on_time), func.sum(rows.c.lead),
                  func.percentile_cont(0.9).within_group(rows.c.lead)
                  ).group_by(func.grouping_sets(tuple_(rows.c.day), tuple_(lead_bin), tuple_()))
    per_day, bins, total = {}, {}, (0, 0, 0.0, None)
    for by_day, by_bin, d, b, n, on_time, lead_sum, p90 in session.execute(stmt).all():
        if not by_day:  # grouped by day
            per_day[d.isoformat()] = [n, int(on_time)]
        elif not by_bin:
            bins[int(b)] = n
        else:
            total = (n, int(on_time or 0), float(lead_sum or 0), p90)
    return _delivery_figure(*total, per_day, _histogram(bins))


def lead_histogram(leads: list[float], cap: int = LEAD_CAP_DAYS) -> list[dict]:
    """Orders per whole day of lead time (the last bin holds everything from `cap` days on)."""
    bins: dict[int, int] = {}
    for x in leads:
        bins[min(int(x), cap)] = bins.get(min(int(x), cap), 0) + 1
    return _histogram(bins, cap)


def _histogram(bins: dict[int, int], cap: int = LEAD_CAP_DAYS) -> list[dict]:
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
    stmt = _for_orders(select(Alert.raised_at, Alert.acked_at, Alert.escalation_level).where(
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
    return _for_orders(stmt, period, q.c.order_id)


def qc(session: Session, period: Period) -> dict:
    """First-pass yield and rework rate of the orders first inspected in the period."""
    if summaries.read_watermark(session, "first_qc") is None:
        return _qc_from_inspections(session, period)
    f = summaries.FIRST_QC
    fresh = select(QcInspection.order_id).where(QcInspection.id > summaries.watermark("first_qc"))
    dialect = session.get_bind().dialect.name
    rows = union_all(  # the summary, except orders inspected since its refresh: those straight from inspections
        select(f.c.order_id, f.c.first_at, f.c.first_pass, f.c.reworked).where(
            f.c.first_at >= period.start, f.c.first_at < period.end, f.c.order_id.not_in(fresh)),
        summaries.first_qc_select(session, dialect, None, fresh)).subquery()
    stmt = _for_orders(select(func.count(), func.coalesce(func.sum(rows.c.first_pass), 0),
                                func.coalesce(func.sum(rows.c.reworked), 0)).where(
        rows.c.first_at >= period.start, rows.c.first_at < period.end), period, rows.c.order_id)
    n, passed, failed = session.execute(stmt).one()
    return _qc_figure(n, passed, failed)


def _qc_from_inspections(session: Session, period: Period) -> dict:
    q = QcInspection.__table__
    nth = func.row_number().over(partition_by=q.c.order_id, order_by=(q.c.at, q.c.id))
    ever_failed = func.max(case((q.c.result == "fail", 1), else_=0)).over(partition_by=q.c.order_id)
    ranked = select(q.c.result, nth.label("nth"), ever_failed.label("failed")).where(
        q.c.order_id.in_(first_inspected_orders(period))).subquery()
    n, passed, failed = session.execute(select(
        func.count(), func.coalesce(func.sum(case((ranked.c.result == "pass", 1), else_=0)), 0),
        func.coalesce(func.sum(ranked.c.failed), 0)).where(ranked.c.nth == 1)).one()
    return _qc_figure(n, passed, failed)


def _qc_figure(n: int, passed: int, failed: int) -> dict:
    return {"inspected_orders": n, "first_pass": passed, "first_pass_yield": rate(passed, n),
            "reworked": failed, "rework_rate": rate(failed, n)}


def _shares(counts: dict[str, int], labels: dict[str, str]) -> list[dict]:
    total = sum(counts.values())
    return [{"code": k, "label": labels.get(k, "其他"), "count": n, "share": rate(n, total)}
            for k, n in sorted(counts.items(), key=lambda kv: -kv[1])]


def sources(session: Session, period: Period) -> list[dict]:
    """Status records of the period by where they came from (chat, scan, web, api …)."""
    first_day = (period.start - timedelta(microseconds=1)).astimezone(UTC).date() + timedelta(days=1)
    last_day = period.end.astimezone(UTC).date()  # whole UTC days [first_day, last_day) read from the summary
    se = StatusEvent
    # the summary counts every order's records: a filtered view reads the events of its orders directly
    mark = None if period.filtered or first_day >= last_day else summaries.read_watermark(session, "source_day")
    if mark is None:
        stmt = _for_orders(select(se.source, func.count()).where(
            se.at >= period.start, se.at < period.end).group_by(se.source), period, se.order_id)
        return _shares(dict(session.exec(stmt).all()), texts.SOURCE_LABELS)
    start, end, d = summaries.midnight(first_day), summaries.midnight(last_day), summaries.SOURCE_DAY
    parts = union_all(
        select(d.c.source, d.c.records.label("n")).where(d.c.day >= first_day, d.c.day < last_day),
        select(se.source, func.count().label("n")).where(or_(  # the partial days at both ends
            and_(se.at >= period.start, se.at < start), and_(se.at >= end, se.at < period.end))).group_by(se.source),
        # records the summary has not read: `mark` lets the id index serve, the subquery (this statement's
        # snapshot) leaves out what a refresh committed after `mark` was read
        select(se.source, func.count().label("n")).where(
            se.id > mark, se.id > summaries.watermark("source_day"), se.at >= start, se.at < end).group_by(se.source),
    ).subquery()
    counts = session.execute(select(parts.c.source, func.sum(parts.c.n)).group_by(parts.c.source)).all()
    return _shares({k: int(n) for k, n in counts}, texts.SOURCE_LABELS)


def notifications(session: Session, period: Period) -> dict:
    """Notifications created in the period: sent / (sent + failed), and every status counted (filtered:
    only those about the filtered orders)."""
    stmt = select(Notification.status, func.count()).where(
        Notification.created_at >= period.start, Notification.created_at < period.end).group_by(Notification.status)
    stmt = _for_orders(stmt, period, Notification.order_id)
    counts = dict(session.exec(stmt).all())
    sent, failed = counts.get("sent", 0), counts.get("failed", 0)
    return {"total": sum(counts.values()), "sent": sent, "failed": failed, "success_rate": rate(sent, sent + failed),
            "by_status": _shares(counts, texts.NOTIFY_STATUS_LABELS)}


def chat(session: Session, period: Period) -> dict:
    """Chat messages received in the period: understood (processed) vs answered with help (ignored).
    No order filter applies: a message belongs to no order (see insight.filters.UNFILTERED)."""
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


def dashboard(session: Session, period: Period, cal: Calendar, lines: Lines) -> dict:
    """Every figure of the dashboard in one dict (the page and GET /api/insight/dashboard); `lines` are the
    production lines with their calendars and capacity (`nextsteps.planning.lines_for`)."""
    return {"period": {"start": period.start, "end": period.end, "days": period.days,
                       "customer_id": period.customer_id, "filters": period.filters,
                       "unfiltered": list(filters.UNFILTERED) if period.filtered else [],
                       "order_only": list(filters.ORDER_ONLY) if period.filtered else []},
            "delivery": delivery(session, period), "status_now": status_now(session, period),
            "dwell": dwell(session, period), "late": late_and_at_risk(session, period, cal),
            "alerts": alerts(session, period), "qc": qc(session, period), "sources": sources(session, period),
            "notifications": notifications(session, period), "chat": chat(session, period),
            "line_load": lineload.line_load(session, period, lines)}


FIGURES = {"delivery": delivery, "status_now": status_now, "dwell": dwell, "alerts": alerts, "qc": qc,
           "sources": sources, "notifications": notifications, "chat": chat}
