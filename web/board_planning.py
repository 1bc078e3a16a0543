"""Planning board: next days × production lines load in % of each line's capacity, and the Gantt.

Load comes from the open ProductionTasks (their route step's standard hours × quantity, less progress),
spread over the working days of each task's line (`nextsteps.planning.line_load`, the same figures
scheduling uses); orders scheduled without tasks count with their whole route. Colours are absolute:
under 70 %, 70–100 %, over 100 % of the line's capacity; a line's non-working day is grey.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from nextsteps.planning import day_shares, line_load
from orders.models import Order, ProductionTask, RouteStep
from orders.status import Status
from workcal.lines import Lines

DAYS = 7
MAX_CARDS = 300
NO_LINE = "未分配"
PLANNED = (Status.SCHEDULED.value, Status.IN_PRODUCTION.value, Status.REWORK.value)
BANDS = ((70, "b1"), (100, "b2"))  # up to 70 % green, 70–100 % amber, above red (b3)


@dataclass
class Card:
    """One bar of the Gantt chart: one order on one line."""

    order_no: str
    label: str
    line: str
    start: int  # day index in the window
    end: int  # inclusive
    done: bool = False
    late: bool = False
    progress: float = 0
    lane: int = 0
    outsourced: bool = False
    why_late: str = ""


def band(pct: float) -> str:
    """Colour class of a load in % of capacity, on a fixed scale."""
    if pct <= 0.5:
        return "b0"
    for bound, cls in BANDS:
        if pct <= bound:
            return cls
    return "b3"


def planning_board(session: Session, today: date, tz: ZoneInfo, now: datetime, lines: Lines) -> dict:
    """Heatmap rows (hours, capacity, %) and Gantt lanes for the DAYS days from today."""
    days = [today + timedelta(days=i) for i in range(DAYS)]
    window_end = datetime.combine(days[-1] + timedelta(days=1), datetime.min.time(), tz)
    load: dict = defaultdict(float)
    for (name, d), hours in line_load(session, lines, now, until=window_end).items():
        load[(name or NO_LINE, d)] += hours  # tasks on no line show as 未分配
    cards = _task_cards(session, today, tz, now, window_end, lines)
    with_tasks = {c.order_no for c in cards}
    _orders_without_tasks(session, today, with_tasks, lines, load, cards)
    names = sorted({n for n, d in load if today <= d <= days[-1]}
                   | {n for n in lines.names() if not lines.get(n).outsourced}
                   | {c.line for c in cards if not lines.get(c.line).outsourced})
    heat = [_heat_row(name, days, load, lines) for name in names]
    gantt_lines = sorted({c.line for c in cards}, key=lambda n: (lines.get(n).outsourced, n))
    factory = lines.factory_calendar
    return {"days": days, "heat": heat, "gantt": _lanes(merge_cards(cards)[:MAX_CARDS], gantt_lines, days, lines),
            "today": today, "day_off": [not factory.is_workday(d) for d in days],
            "now_pct": round(100 * (now.astimezone(tz) - datetime.combine(today, datetime.min.time(), tz))
                             .total_seconds() / 86400, 1),
            "bands": BANDS}


def _heat_row(name: str, days: list[date], load: dict, lines: Lines) -> dict:
    line = lines.get(name)
    cells = []
    for d in days:
        hours = load.get((name, d), 0.0)
        working = line.calendar.is_workday(d)
        cap = line.day_hours if working else 0.0
        pct = round(100 * hours / cap) if cap else None
        cells.append({"hours": round(hours, 1), "cap": cap, "pct": pct, "off": not working,
                      "cls": ("off" if hours <= 0.05 else "b3") if not working else band(pct or 0)})
    total = sum(c["hours"] for c in cells)
    return {"line": name, "capacity": line.day_hours, "cells": cells, "total": round(total, 1)}


def _task_cards(session: Session, today: date, tz: ZoneInfo, now: datetime, window_end: datetime,
                lines: Lines) -> list[Card]:
    rows = session.exec(
        select(ProductionTask, Order).join(Order, Order.id == ProductionTask.order_id)
        .where(ProductionTask.done == False, ProductionTask.planned_start.is_not(None),  # noqa: E712
               ProductionTask.planned_start < window_end)
        .order_by(ProductionTask.planned_start).limit(MAX_CARDS * 3)).all()
    cards = []
    for task, order in rows:
        end = task.planned_end or task.planned_start
        first = (task.planned_start.astimezone(tz).date() - today).days
        last = max(first, (end.astimezone(tz).date() - today).days)
        if last < 0:
            first = last = 0  # overdue work is still on the line today
        after_promise = end.astimezone(tz).date() > order.promised_date
        why = "晚于交期" if after_promise else ("已逾期" if end < now else "")
        name = task.line or NO_LINE
        cards.append(Card(order.order_no, task.process, name, max(first, 0), min(last, DAYS - 1),
                          late=bool(why), progress=task.progress or 0, outsourced=lines.get(name).outsourced,
                          why_late=why))
    return cards


def merge_cards(cards: list[Card]) -> list[Card]:
    """One bar per order and line, spanning its processes there (a Gantt of orders, not of steps)."""
    merged: dict[tuple[str, str], Card] = {}
    for c in cards:
        key = (c.order_no, c.line)
        m = merged.get(key)
        if m is None:
            merged[key] = Card(c.order_no, c.label, c.line, c.start, c.end, c.done, c.late, c.progress,
                               outsourced=c.outsourced, why_late=c.why_late)
            continue
        if c.label not in m.label.split("、"):
            m.label = f"{m.label}、{c.label}"
        m.start, m.end = min(m.start, c.start), max(m.end, c.end)
        m.progress = min(m.progress, c.progress)
        m.late = m.late or c.late
        m.why_late = m.why_late or c.why_late
    return sorted(merged.values(), key=lambda c: (c.line, c.start, c.order_no))


def _orders_without_tasks(session: Session, today: date, with_tasks: set, lines: Lines, load: dict,
                          cards: list[Card]) -> None:
    """Scheduled orders with a start date but no production tasks yet: their whole route on their line."""
    last_day = today + timedelta(days=DAYS - 1)
    orders = session.exec(select(Order).where(Order.status.in_(PLANNED), Order.planned_start.is_not(None),
                                              Order.planned_start <= last_day)
                          .order_by(Order.planned_start).limit(MAX_CARDS)).all()
    route_hours: dict[int, float] = defaultdict(float)
    for step in session.exec(select(RouteStep)).all():
        route_hours[step.product_id] += step.std_hours_per_100
    planned = set(session.exec(select(ProductionTask.order_id).where(
        ProductionTask.order_id.in_([o.id for o in orders])).distinct()).all()) if orders else set()
    for order in orders:
        if order.order_no in with_tasks or order.id in planned:
            continue
        end = max(order.planned_end or order.planned_start, order.planned_start)
        name = order.line or NO_LINE
        line = lines.get(name)
        tz = line.calendar.tz
        start_at = datetime.combine(order.planned_start, line.calendar.shift_start, tz)
        end_at = datetime.combine(end, line.calendar.shift_end, tz)
        hours = route_hours.get(order.product_id, 1.0) * order.quantity / 100
        for d, share in day_shares(line.calendar, start_at, end_at).items():
            load[(name, d)] = load.get((name, d), 0.0) + hours * share
        first, last = (order.planned_start - today).days, (max(end, today) - today).days
        late = end > order.promised_date or end < today
        cards.append(Card(order.order_no, Status(order.status).label, name, max(first, 0), min(last, DAYS - 1),
                          late=late, why_late="晚于交期" if end > order.promised_date else ("已逾期" if late else "")))


def _lanes(cards: list[Card], names: list[str], days: list[date], lines: Lines) -> list[dict]:
    """Cards per line packed into lanes so bars never overlap, with CSS grid rows and the line's days off."""
    out, row = [], 2  # row 1 is the day header
    for name in names:
        lane_ends: list[int] = []
        mine = sorted((c for c in cards if c.line == name), key=lambda c: (c.start, c.end))
        for c in mine:
            for i, end in enumerate(lane_ends):
                if end < c.start:
                    c.lane, lane_ends[i] = i, c.end
                    break
            else:
                c.lane = len(lane_ends)
                lane_ends.append(c.end)
        lanes = max(1, len(lane_ends))
        line = lines.get(name)
        out.append({"line": name, "row": row, "lanes": lanes, "outsourced": line.outsourced,
                    "capacity": None if line.outsourced else line.day_hours,
                    "off": [i for i, d in enumerate(days) if not line.calendar.is_workday(d)],
                    "cards": [{"card": c, "row": row + c.lane, "col": c.start + 2, "span": c.end - c.start + 1}
                              for c in mine]})
        row += lanes
    return out
