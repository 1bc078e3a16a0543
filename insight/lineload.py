"""Load per production line against its capacity over the next working days: the planning board's own
figures (`nextsteps.planning.planned_task_hours`: open tasks' standard hours spread over each line's
working days), summed over a window of WINDOW_WORKDAYS factory working days from today.

Filters: the line filter keeps that line's row (the tasks planned on it, whichever line is the order's
main one); the other order filters keep the tasks of the orders they select. Capacity is the line's
whatever the filters, so a filtered row says how much of the line those orders take. The period does not
apply: the figure looks ahead from now."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

from sqlmodel import Session, select

from insight import filters, texts
from insight.period import Period
from insight.stats import rate, round_or_none
from nextsteps.planning import planned_task_hours
from orders.models import Customer, Order, ProductionTask
from workcal.lines import Lines

WINDOW_WORKDAYS = 7


def window(lines: Lines, today: date) -> list[date]:
    """The calendar days from today through the WINDOW_WORKDAYS-th factory working day (today counts when
    it is one)."""
    cal = lines.factory_calendar
    first = today if cal.is_workday(today) else cal.next_workday(today)
    last = cal.add_working_days(first, WINDOW_WORKDAYS - 1)
    return [today + timedelta(days=i) for i in range((last - today).days + 1)]


def _planned(session: Session, period: Period, lines: Lines, days: list[date]):
    """(task, line, day, hours) of the open tasks in the window, under the period's order filters."""
    until = datetime.combine(days[-1] + timedelta(days=1), datetime.min.time(), lines.factory_calendar.tz)
    where = filters.order_conditions(replace(period, line=None))
    if period.line:  # the tasks on that line (a condition on the task row, which the join lets through)
        where.append(ProductionTask.line == period.line)
    for task, name, d, hours in planned_task_hours(session, lines, period.end, until=until, where=where):
        if days[0] <= d <= days[-1] and (not period.line or name == period.line):
            yield task, name, d, hours


def line_load(session: Session, period: Period, lines: Lines) -> dict:
    """Per in-house line: standard hours planned in the window, capacity hours (the line's working days ×
    its day hours) and planned ÷ capacity; and the same over every line."""
    days = window(lines, period.today)
    planned: dict[str, float] = {}
    for _, name, _, hours in _planned(session, period, lines, days):
        planned[name] = planned.get(name, 0.0) + hours
    names = set(planned) | {n for n in lines.names() if not lines.get(n).outsourced}
    if period.line:
        names = {period.line} if not lines.get(period.line).outsourced else set()
    rows = []
    for name in sorted(names, key=lambda n: (n == "", n)):
        line = lines.get(name)
        capacity = sum(line.day_hours for d in days if line.calendar.is_workday(d))
        hours = planned.get(name, 0.0)
        rows.append({"line": name, "label": name or texts.NO_LINE, "planned_hours": round(hours, 1),
                     "capacity_hours": round(capacity, 1), "load_rate": rate(hours, capacity) if capacity else None})
    total_planned, total_cap = sum(planned.get(r["line"], 0.0) for r in rows), sum(r["capacity_hours"] for r in rows)
    return {"window_start": days[0], "window_end": days[-1], "workdays": WINDOW_WORKDAYS, "lines": rows,
            "planned_hours": round(total_planned, 1), "capacity_hours": round(total_cap, 1),
            "load_rate": rate(total_planned, total_cap) if total_cap else None,
            "max_load_rate": max((r["load_rate"] for r in rows if r["load_rate"] is not None), default=None)}


def planned_orders(session: Session, period: Period, lines: Lines, limit: int) -> list[dict]:
    """The orders planned on each line in the window: one row per order and line, with its processes, the
    first and last planned day there and the standard hours it takes in the window (most hours first)."""
    days = window(lines, period.today)
    per: dict[tuple[int, str], dict] = {}
    for task, name, d, hours in _planned(session, period, lines, days):
        row = per.setdefault((task.order_id, name), {"processes": [], "first": d, "last": d, "hours": 0.0})
        if task.process not in row["processes"]:
            row["processes"].append(task.process)
        row["first"], row["last"] = min(row["first"], d), max(row["last"], d)
        row["hours"] += hours
    top = sorted(per.items(), key=lambda kv: (-kv[1]["hours"], kv[0]))[:limit]
    ids = {oid for (oid, _), _ in top}
    orders = {o.id: (o, c) for o, c in session.execute(
        select(Order, Customer.name).join(Customer, Customer.id == Order.customer_id).where(Order.id.in_(ids)))
        .all()} if ids else {}
    out = []
    for (oid, name), row in top:
        order, customer = orders[oid]
        out.append({"order_no": order.order_no, "line": name, "hours": round_or_none(row["hours"]),
                    "cells": [order.order_no, customer, name or texts.NO_LINE, "、".join(row["processes"]),
                              row["first"].isoformat(), row["last"].isoformat(), f"{row['hours']:.1f}",
                              order.promised_date.isoformat()]})
    return out
