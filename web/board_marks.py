"""Marks the sales and planning boards paint on orders: the alerts' board flag (red = 临近交期 ≤ 3 天未发货,
read through `alerts.queries.board_flags`) and the start countdown of a scheduled order (working days
to its planned start, as the 已排产 message counts them). Kept apart from the boards' own read models so
the planning board's heatmap and Gantt can change without touching these."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from alerts.queries import board_flags
from orders.models import Customer, Order
from orders.status import Status
from web import texts
from workcal.calendar import Calendar

MARKED_LIMIT = 40
WATCHED = (Status.SCHEDULED.value, Status.IN_PRODUCTION.value, Status.REWORK.value)


def countdown(order_status: str, planned_start: date | None, today: date, cal: Calendar) -> dict | None:
    """Working days until a scheduled order's start (negative: the start has passed without a report)."""
    if order_status != Status.SCHEDULED.value or planned_start is None:
        return None
    days = cal.working_days_between(today, planned_start) if planned_start != today else 0
    if days == 0:
        text = texts.START_TODAY
    elif days > 0:
        text = texts.START_IN.format(days=days)
    else:
        text = texts.START_LATE.format(days=-days)
    return {"days": days, "text": text, "late": days < 0, "date": planned_start}


def flag_of(level: str | None) -> dict | None:
    """A board flag as the badge shows it (red: the ≤ 3-day flag)."""
    if not level:
        return None
    return {"level": level, "text": texts.RED_FLAG if level == "red" else texts.ALERT_LEVEL_LABELS.get(level, level),
            "title": texts.RED_FLAG_TITLE if level == "red" else ""}


def marks_for(session: Session, orders: list[dict], today: date, cal: Calendar) -> dict[str, dict]:
    """order_no -> {flag, countdown} for board rows carrying order_no, status and planned_start."""
    flags = board_flags(session)
    return {o["order_no"]: {"flag": flag_of(flags.get(o["order_no"])),
                            "countdown": countdown(o["status"], o.get("planned_start"), today, cal)}
            for o in orders}


def planning_marks(session: Session, today: date, cal: Calendar) -> list[dict]:
    """Scheduled and running orders with a start countdown or a flag: flagged first, then by start."""
    flags = board_flags(session)
    rows = session.exec(select(Order, Customer.name).join(Customer, Customer.id == Order.customer_id)
                        .where(Order.status.in_(WATCHED)).order_by(Order.planned_start, Order.id)).all()
    out = []
    for order, customer in rows:
        flag = flag_of(flags.get(order.order_no))
        count = countdown(order.status, order.planned_start, today, cal)
        if flag is None and count is None:
            continue
        out.append({"order_no": order.order_no, "customer": customer, "line": order.line or "",
                    "status": order.status, "status_label": Status(order.status).label,
                    "planned_start": order.planned_start, "promised_date": order.promised_date,
                    "flag": flag, "countdown": count})
    out.sort(key=lambda r: (r["flag"] is None or r["flag"]["level"] != "red",
                            r["planned_start"] or r["promised_date"], r["order_no"]))
    return out[:MARKED_LIMIT]
