"""Scheduling: when an order is scheduled, one ProductionTask per route step, placed on its line's
working days within the line's free capacity, each after the previous process ends.

- Route: each step has its default line (or 委外). A line named in chat or on the web takes only the
  steps it can do (`workcal.lines`); outsourced steps stay outsourced unless that line lists them.
- Capacity: a line does `day_hours` standard hours per working day of its own calendar. Work already
  planned there (other orders' open tasks, less their progress) fills each day first; a task takes what
  is left, spread over the shift, and runs into the line's next working day when the day is full.
- Outsourced steps take their line's lead time in working days and use no factory capacity.
- The advice (`plan_advice`) says when the plan ends after the promised date, the earliest date the
  order can be finished from now, and the overtime (standard hours) that would bring it back.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import Row
from sqlmodel import Session, select

from core.types import utcnow
from nextsteps import texts
from orders.exceptions import InvalidInput
from orders.models import Order, ProductionTask, RouteStep
from workcal.calendar import Calendar
from workcal.lines import Line, Lines, load_lines

MIN_STEP_HOURS = 0.5
EPS = 1e-6
MAX_PLAN_DAYS = 800  # a task that would need more working days than this cannot be planned
Load = dict[tuple[str, date], float]  # standard hours already planned per (line, day)


@dataclass
class Slot:
    """Where and when one step of one order is planned, and how many standard hours each day takes."""

    seq: int
    process: str
    line: str
    hours: float
    start: datetime
    end: datetime
    outsourced: bool = False
    days: dict[date, float] = field(default_factory=dict)


def lines_for(session: Session, settings) -> Lines:
    """Every line: the admin's rows plus the lines the product routes name."""
    pairs = session.exec(select(RouteStep.process, RouteStep.line).distinct()).all()
    return load_lines(session, settings, pairs)


def route_of(session: Session, order: Order) -> list[RouteStep]:
    return list(session.exec(select(RouteStep).where(RouteStep.product_id == order.product_id)
                             .order_by(RouteStep.seq)).all())


def step_hours(step: RouteStep | None, quantity: int, progress: float = 0) -> float:
    """Standard hours a step still needs for `quantity` pieces."""
    per_100 = step.std_hours_per_100 if step else 1.0
    return max(MIN_STEP_HOURS, per_100 * quantity / 100) * (1 - min(max(progress or 0, 0), 100) / 100)


def assign_lines(order_no: str, route: list[RouteStep], named: str | None, lines: Lines) -> list[str]:
    """The line of each step: its default, or the named line where that line can do the process."""
    defaults = [s.line or "" for s in route]
    if not named:
        return defaults
    if lines.configured and not lines.known(named):
        raise InvalidInput(texts.unknown_line(named, lines.names()), field="line")
    line = lines.get(named)
    chosen = []
    for step, default in zip(route, defaults, strict=True):
        default_out = lines.get(default).outsourced if default else False
        takes = line.can_do(step.process) and (not default_out or step.process in line.processes)
        chosen.append(named if takes else default)
    if route and named not in chosen:
        raise InvalidInput(texts.line_cannot(named, [s.process for s in route], sorted(line.processes)),
                           field="line")
    return chosen


# ---- load already planned --------------------------------------------------------------------
def day_shares(cal: Calendar, start: datetime, end: datetime) -> dict[date, float]:
    """How a task's work divides over the working days between start and end (fractions summing to 1)."""
    tz = cal.tz
    first, last = start.astimezone(tz).date(), end.astimezone(tz).date()
    shares: dict[date, float] = {}
    d = first
    while d <= last and (d - first).days <= MAX_PLAN_DAYS:
        if cal.is_workday(d):
            lo, hi = cal.shift_of(d)
            h = (min(hi, end) - max(lo, start)).total_seconds()
            if h > 0:
                shares[d] = h
        d += timedelta(days=1)
    total = sum(shares.values())
    if total <= 0:  # planned outside working time: count it on its first working day
        day = first if cal.is_workday(first) else cal.next_workday(first)
        return {day: 1.0}
    return {d: h / total for d, h in shares.items()}


def planned_task_hours(session: Session, lines: Lines, since: datetime, *, exclude_order_id: int | None = None,
                       until: datetime | None = None, where=()) -> Iterator[tuple[Row, str, date, float]]:
    """(task, line, working day, standard hours) of every open task on an in-house line; work that should have
    ended before `since` counts on the line's next working day from `since`. `where`: extra conditions on
    Order and ProductionTask (the insight dashboard's filters). A task is a row of its columns (order_id,
    seq, process, line, planned_start, planned_end, progress), not an entity: thousands are read at once."""
    t = ProductionTask
    q = (select(t.order_id, t.seq, t.process, t.line, t.planned_start, t.planned_end, t.progress, Order.product_id,
                Order.quantity).join(Order, Order.id == t.order_id)
         .where(t.done == False, t.planned_start.is_not(None), *where))  # noqa: E712
    if exclude_order_id is not None:
        q = q.where(t.order_id != exclude_order_id)
    if until is not None:
        q = q.where(t.planned_start < until)
    steps = {(r.product_id, r.seq): r for r in session.exec(select(RouteStep)).all()}
    resume: dict[str, date] = {}  # per line: the day overdue work lands on
    for task in session.execute(q).all():
        line = lines.get(task.line or "")
        if line.outsourced:
            continue
        hours = step_hours(steps.get((task.product_id, task.seq)), task.quantity, task.progress)
        end = max(task.planned_end or task.planned_start, task.planned_start)
        if end < since:  # overdue and not done: the work is still to do, on the line's next working time
            if line.name not in resume:
                resume[line.name] = line.calendar.next_working_time(since).date()
            yield task, line.name, resume[line.name], hours
            continue
        for d, share in day_shares(line.calendar, task.planned_start, end).items():
            yield task, line.name, d, hours * share


def line_load(session: Session, lines: Lines, since: datetime, *, exclude_order_id: int | None = None,
              until: datetime | None = None, where=()) -> Load:
    """Standard hours of open tasks per (line, working day) (see `planned_task_hours`)."""
    load: Load = defaultdict(float)
    for _, name, d, hours in planned_task_hours(session, lines, since, exclude_order_id=exclude_order_id,
                                                until=until, where=where):
        load[(name, d)] += hours
    return load


# ---- placing steps ---------------------------------------------------------------------------
def place(line: Line, hours: float, ready: datetime, load: Load) -> Slot:
    """Put `hours` standard hours on `line` from `ready` on, in the capacity left each working day."""
    cal = line.calendar
    if line.outsourced:
        start = cal.next_working_time(ready)
        end = cal.add_working_hours(start, line.lead_days * line.shift_hours) if line.lead_days else start
        return Slot(0, "", line.name, hours, start, end, outsourced=True)
    cap, shift = line.day_hours, cal.shift_length()
    cur, left, first, days = cal.next_working_time(ready), hours, None, {}
    for _ in range(MAX_PLAN_DAYS):
        d = cur.date()
        lo, hi = cal.shift_of(d)
        fill = lo + shift * min(1.0, load.get((line.name, d), 0.0) / cap)
        begin = max(cur, fill)
        free = cap * (hi - begin) / shift if begin < hi else 0.0
        if free > EPS:
            take = min(free, left)
            load[(line.name, d)] = load.get((line.name, d), 0.0) + take
            days[d] = days.get(d, 0.0) + take
            first = first or begin
            left -= take
            cur = begin + shift * (take / cap)
            if left <= EPS:
                return Slot(0, "", line.name, hours, first, cur, days=days)
        cur = cal.shift_of(cal.next_workday(d))[0]
    raise InvalidInput(texts.no_capacity(line.name, hours), field="line")


def build_plan(route: list[RouteStep], line_names: list[str], quantity: int, lines: Lines, ready: datetime,
               load: Load, progress: dict[int, float] | None = None, done: set[int] = frozenset()) -> list[Slot]:
    """Slots for the route's steps back to back: each starts when the previous one ends."""
    slots, cursor = [], ready
    for step, name in zip(route, line_names, strict=True):
        if step.seq in done:
            continue
        line = lines.get(name)
        slot = place(line, step_hours(step, quantity, (progress or {}).get(step.seq, 0)), cursor, load)
        slot.seq, slot.process = step.seq, step.process
        slots.append(slot)
        cursor = slot.end
    return slots


def _ready(cal: Calendar, day: date, now: datetime) -> datetime:
    return max(datetime.combine(day, cal.shift_start, tzinfo=cal.tz), now.astimezone(cal.tz))


def plan_tasks(session: Session, order: Order, lines: Lines, *, now: datetime | None = None,
               named_line: str | None = None) -> list[ProductionTask]:
    """Create (or re-plan) the order's tasks from its route; sets the order's real start and planned end."""
    now = now or utcnow()
    route = route_of(session, order)
    existing = {t.seq: t for t in session.exec(select(ProductionTask).where(ProductionTask.order_id == order.id))}
    names = assign_lines(order.order_no, route, named_line, lines)
    load = line_load(session, lines, now, exclude_order_id=order.id)
    ready = _ready(lines.factory_calendar, order.planned_start or now.astimezone(lines.factory_calendar.tz).date(),
                   now)
    done = {seq for seq, t in existing.items() if t.done}
    slots = build_plan(route, names, order.quantity, lines, ready, load,
                       {seq: t.progress for seq, t in existing.items()}, done)
    tasks = []
    for slot in slots:
        task = existing.get(slot.seq) or ProductionTask(order_id=order.id, seq=slot.seq, process=slot.process)
        task.line, task.planned_start, task.planned_end = slot.line, slot.start, slot.end
        task.updated_at = utcnow()
        session.add(task)
        tasks.append(task)
    if slots:
        tz = lines.factory_calendar.tz
        order.planned_start = slots[0].start.astimezone(tz).date()
        order.planned_end = slots[-1].end.astimezone(tz).date()
        if not order.line:
            order.line = main_line(slots)
        session.add(order)
    session.flush()
    return tasks


def main_line(slots: list[Slot]) -> str | None:
    """The in-house line with the most hours of the order (whose lead hears about it)."""
    hours: dict[str, float] = defaultdict(float)
    for s in slots:
        if not s.outsourced and s.line:
            hours[s.line] += s.hours
    return max(hours, key=hours.get) if hours else None


# ---- advice ----------------------------------------------------------------------------------
@dataclass
class Advice:
    """The plan of a scheduled order measured against its promise, with a way back when it is late."""

    order_no: str
    start: date
    end: date
    promised: date
    steps: list[tuple[str, str]]  # (process, line)
    late_days: int = 0  # working days the end is after the promise
    earliest_start: date | None = None
    earliest_end: date | None = None
    overtime: dict[str, float] = field(default_factory=dict)  # line -> standard hours after the promise
    outsourced_late: list[str] = field(default_factory=list)  # outsourced steps back after the promise

    @property
    def late(self) -> bool:
        return self.end > self.promised

    @property
    def earliest_on_time(self) -> bool:
        return self.earliest_end is not None and self.earliest_end <= self.promised

    def text(self) -> str:
        return texts.plan_advice(self)


def plan_advice(session: Session, order: Order, settings, *, now: datetime | None = None) -> Advice | None:
    """The advice on an order's current plan; None when it has no planned tasks."""
    now = now or utcnow()
    tasks = list(session.exec(select(ProductionTask).where(ProductionTask.order_id == order.id,
                                                           ProductionTask.planned_start.is_not(None))
                              .order_by(ProductionTask.seq)).all())
    if not tasks:
        return _unrouted_advice(session, order, settings)
    lines = lines_for(session, settings)
    tz = lines.factory_calendar.tz
    open_tasks = [t for t in tasks if not t.done]
    start = min(t.planned_start for t in open_tasks or tasks).astimezone(tz).date()
    end = max(t.planned_end or t.planned_start for t in tasks).astimezone(tz).date()
    advice = Advice(order.order_no, start, end, order.promised_date, [(t.process, t.line) for t in tasks])
    if not advice.late:
        return advice
    cal = lines.factory_calendar
    advice.late_days = max(1, cal.working_days_between(order.promised_date, end))
    _earliest(session, order, tasks, lines, now, advice)
    _overtime(session, order, tasks, lines, advice)
    return advice


def _unrouted_advice(session: Session, order: Order, settings) -> Advice | None:
    """An order without tasks (its product has no route) planned to start or end after its promise: the
    warning without a duration to propose from; None otherwise (the plain answer with its start)."""
    start = order.planned_start
    if start is None:
        return None
    end = max(order.planned_end or start, start)
    if end <= order.promised_date:
        return None
    advice = Advice(order.order_no, start, end, order.promised_date, [])
    cal = lines_for(session, settings).factory_calendar
    advice.late_days = max(1, cal.working_days_between(order.promised_date, end))
    return advice


def _earliest(session: Session, order: Order, tasks: list[ProductionTask], lines: Lines, now: datetime,
              advice: Advice) -> None:
    """Plan the open steps again from now, on the same lines, to find the earliest possible finish."""
    route = {s.seq: s for s in route_of(session, order)}
    steps = [route[t.seq] for t in tasks if t.seq in route and not t.done]
    if not steps:
        return
    names = [next(t.line for t in tasks if t.seq == s.seq) for s in steps]
    load = line_load(session, lines, now, exclude_order_id=order.id)
    slots = build_plan(steps, names, order.quantity, lines, now, load, {t.seq: t.progress for t in tasks})
    tz = lines.factory_calendar.tz
    advice.earliest_start = slots[0].start.astimezone(tz).date()
    advice.earliest_end = slots[-1].end.astimezone(tz).date()


def _overtime(session: Session, order: Order, tasks: list[ProductionTask], lines: Lines, advice: Advice) -> None:
    """Standard hours per line planned after the promised day: the overtime that would bring the order back."""
    route = {s.seq: s for s in route_of(session, order)}
    for t in tasks:
        if t.done or t.planned_end is None:
            continue
        line = lines.get(t.line or "")
        cal = line.calendar
        if t.planned_end <= cal.shift_of(order.promised_date)[1]:
            continue
        if line.outsourced:
            advice.outsourced_late.append(t.process)
            continue
        shares = day_shares(cal, t.planned_start, t.planned_end)
        after = sum(v for d, v in shares.items() if d > order.promised_date)
        hours = after * step_hours(route.get(t.seq), order.quantity, t.progress)
        if hours > EPS:
            advice.overtime[line.name] = advice.overtime.get(line.name, 0.0) + hours
