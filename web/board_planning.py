"""Planning board: next days × production lines load (standard hours) and Gantt task cards.

Load comes from ProductionTasks (their route step's std hours × quantity, less progress);
orders that are scheduled on a line but have no tasks yet count with their whole route.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from orders.models import Order, ProductionTask, RouteStep
from orders.status import Status

DAYS = 7
MAX_CARDS = 300
NO_LINE = "未分配"
PLANNED = (Status.SCHEDULED.value, Status.IN_PRODUCTION.value, Status.REWORK.value)


@dataclass
class Card:
    """One bar of the Gantt chart."""

    order_no: str
    label: str
    line: str
    start: int  # day index in the window
    end: int  # inclusive
    done: bool = False
    late: bool = False
    progress: float = 0
    lane: int = 0


def _day_index(d: date, first: date) -> int:
    return (d - first).days


def _spread(load: dict, line: str, first: int, last: int, hours: float) -> None:
    """Add `hours` evenly over the days first..last that fall in the window."""
    span = last - first + 1
    for i in range(max(first, 0), min(last, DAYS - 1) + 1):
        load[line][i] += hours / span


def planning_board(session: Session, today: date, tz: ZoneInfo, now: datetime,
                   capacity: float | None = None) -> dict:
    """Heatmap cells and Gantt cards for the DAYS days from today.

    With `capacity` (standard hours one line can do in a day) the heat says how full a line is
    and marks overload; without it, cells are shaded against the busiest line-day.
    """
    days = [today + timedelta(days=i) for i in range(DAYS)]
    window_end = datetime.combine(days[-1] + timedelta(days=1), datetime.min.time(), tz)
    load: dict[str, list[float]] = defaultdict(lambda: [0.0] * DAYS)
    cards: list[Card] = []
    steps = {(r.product_id, r.seq): r for r in session.exec(select(RouteStep)).all()}
    rows = session.exec(
        select(ProductionTask, Order).join(Order, Order.id == ProductionTask.order_id)
        .where(ProductionTask.done == False, ProductionTask.planned_start.is_not(None),  # noqa: E712
               ProductionTask.planned_start < window_end)
        .order_by(ProductionTask.planned_start).limit(MAX_CARDS * 3)).all()
    with_tasks = set()
    for task, order in rows:
        end = task.planned_end or task.planned_start
        with_tasks.add(order.id)
        first = _day_index(task.planned_start.astimezone(tz).date(), today)
        last = max(first, _day_index(end.astimezone(tz).date(), today))
        if last < 0:
            first = last = 0  # overdue work still loads the line today
        step = steps.get((order.product_id, task.seq))
        hours = (step.std_hours_per_100 if step else 1.0) * order.quantity / 100 * (1 - (task.progress or 0) / 100)
        line = task.line or (step.line if step else "") or order.line or NO_LINE
        _spread(load, line, first, last, hours)
        cards.append(Card(order.order_no, task.process, line, max(first, 0), min(last, DAYS - 1),
                          late=end < now, progress=task.progress or 0))
    _orders_without_tasks(session, today, steps, with_tasks, load, cards)
    lines = sorted(load)
    scale = capacity or max((h for row in load.values() for h in row), default=0) or 1.0
    heat = [{"line": line, "cells": [{"hours": round(h, 1), "level": _level(h / scale, bool(capacity))}
                                     for h in load[line]], "total": round(sum(load[line]), 1)} for line in lines]
    return {"days": days, "heat": heat, "gantt": _lanes(merge_cards(cards)[:MAX_CARDS], lines),
            "capacity": capacity, "today": today}


def merge_cards(cards: list[Card]) -> list[Card]:
    """One bar per order and line, spanning its processes there (a Gantt of orders, not of steps)."""
    merged: dict[tuple[str, str], Card] = {}
    for c in cards:
        key = (c.order_no, c.line)
        m = merged.get(key)
        if m is None:
            merged[key] = Card(c.order_no, c.label, c.line, c.start, c.end, c.done, c.late, c.progress)
            continue
        if c.label not in m.label.split("、"):
            m.label = f"{m.label}、{c.label}"
        m.start, m.end = min(m.start, c.start), max(m.end, c.end)
        m.late = m.late or c.late
    return sorted(merged.values(), key=lambda c: (c.line, c.start, c.order_no))


def _orders_without_tasks(session: Session, today: date, steps: dict, with_tasks: set, load: dict,
                          cards: list[Card]) -> None:
    """Scheduled orders with a line and a start date but no production tasks yet."""
    last_day = today + timedelta(days=DAYS - 1)
    orders = session.exec(select(Order).where(Order.status.in_(PLANNED), Order.planned_start.is_not(None),
                                              Order.planned_start <= last_day)
                          .order_by(Order.planned_start).limit(MAX_CARDS)).all()
    route_hours: dict[int, float] = defaultdict(float)
    for (product_id, _seq), step in steps.items():
        route_hours[product_id] += step.std_hours_per_100
    for order in orders:
        if order.id in with_tasks:
            continue
        end = order.planned_end or order.planned_start
        first, last = _day_index(order.planned_start, today), _day_index(max(end, today), today)
        line = order.line or NO_LINE
        _spread(load, line, first, last, route_hours.get(order.product_id, 1.0) * order.quantity / 100)
        cards.append(Card(order.order_no, Status(order.status).label, line, max(first, 0),
                          min(last, DAYS - 1), late=end < today))


def _level(ratio: float, absolute: bool) -> int:
    """Heat class 0..4: against capacity (4 = overloaded), or against the busiest cell (4 = busiest)."""
    bounds = (0.01, 0.5, 0.85, 1.1) if absolute else (0.01, 0.35, 0.65, 0.9)
    for level, bound in enumerate(bounds):
        if ratio < bound:
            return level
    return 4


def _lanes(cards: list[Card], lines: list[str]) -> list[dict]:
    """Cards per line packed into lanes so bars never overlap; with CSS grid rows for each."""
    out, row = [], 2  # row 1 is the day header
    for line in lines:
        lane_ends: list[int] = []
        mine = sorted((c for c in cards if c.line == line), key=lambda c: (c.start, c.end))
        for c in mine:
            for i, end in enumerate(lane_ends):
                if end < c.start:
                    c.lane, lane_ends[i] = i, c.end
                    break
            else:
                c.lane = len(lane_ends)
                lane_ends.append(c.end)
        lanes = max(1, len(lane_ends))
        out.append({"line": line, "row": row, "lanes": lanes,
                    "cards": [{"card": c, "row": row + c.lane, "col": c.start + 2, "span": c.end - c.start + 1}
                              for c in mine]})
        row += lanes
    return out
