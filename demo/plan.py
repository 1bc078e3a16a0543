"""The demo's order history as plans: which path each order walks and when, before any row is written.

Every plan is drawn from one seeded random generator and laid out in working hours
counted back from "now", so the same `now` always gives the same month of orders.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from demo import data as D
from demo.clock import WorkClock
from orders.flow import SELF_PICKUP
from orders.models import Customer
from orders.status import Status

S = Status
Step = tuple[str, Status | None]

# How many demo orders end in each status (216 in all).
STATUS_COUNTS = (
    (S.COMPLETED, 40), (S.DELIVERED, 18), (S.IN_TRANSIT, 14), (S.SHIPPED, 10), (S.IN_STOCK, 14),
    (S.PENDING_QC, 12), (S.REWORK, 6), (S.IN_PRODUCTION, 26), (S.SCHEDULED, 18), (S.PENDING_SCHEDULE, 14),
    (S.PENDING_PURCHASE, 10), (S.PENDING_OUTSOURCE, 8), (S.PENDING_REVIEW, 14), (S.CANCELLED, 12),
)
HISTORY_DAYS = 29
PRODUCTION_SPEED = 0.3  # a line runs several machines: route hours × this = elapsed working hours
MAX_PRODUCTION_HOURS = 40.0
OUTSOURCE_HOURS = 24.0

A = ("approve", S.PENDING_SCHEDULE)
AP = ("approve", S.PENDING_PURCHASE)
AO = ("approve", S.PENDING_OUTSOURCE)
RP = ("request_purchase", S.PENDING_PURCHASE)
MR = ("materials_ready", S.PENDING_SCHEDULE)
SC = ("schedule", S.SCHEDULED)
US = ("unschedule", S.PENDING_SCHEDULE)
ST = ("start_production", S.IN_PRODUCTION)
FI = ("finish_production", S.PENDING_QC)
OS = ("outsource", S.PENDING_OUTSOURCE)
OR = ("outsource_returned", S.PENDING_QC)
QP = ("qc_pass", None)
QF = ("qc_fail", S.REWORK)
RD = ("rework_done", S.PENDING_QC)
SI = ("stock_in", S.IN_STOCK)
SH = ("ship", S.SHIPPED)
PU = ("pickup", S.IN_TRANSIT)
DL = ("deliver", S.DELIVERED)
CP = ("complete", S.COMPLETED)
CX = ("cancel", S.CANCELLED)
CANCELLABLE = {S.PENDING_REVIEW, S.PENDING_SCHEDULE, S.PENDING_PURCHASE, S.SCHEDULED}

# Working hours before each command (low, high); production steps are sized from the route.
GAPS = {
    "approve": (0.5, 5), "request_purchase": (1, 6), "materials_ready": (14, 45), "schedule": (1, 12),
    "unschedule": (2, 10), "start_production": (2, 18), "outsource_returned": (18, 45), "qc_pass": (0.5, 5),
    "qc_fail": (0.5, 5), "rework_done": (4, 14), "stock_in": (0.3, 3), "ship": (1, 16), "pickup": (0.5, 4),
    "deliver": (6, 26), "complete": (8, 60), "cancel": (1, 30),
}
# Working hours between an order's last move and now, by the status it ends in.
SLACK = {
    S.PENDING_REVIEW: (0.1, 20), S.CANCELLED: (1, 160), S.PENDING_SCHEDULE: (0.5, 30),
    S.PENDING_PURCHASE: (1, 30), S.PENDING_OUTSOURCE: (2, 30), S.SCHEDULED: (0.5, 20),
    S.PENDING_QC: (0.2, 12), S.REWORK: (0.5, 12), S.IN_STOCK: (0.5, 30), S.SHIPPED: (0.2, 8),
    S.IN_TRANSIT: (1, 24), S.DELIVERED: (2, 40), S.COMPLETED: (2, 150),
}
ALERT_STATUSES = {S.SCHEDULED, S.IN_PRODUCTION, S.PENDING_QC, S.REWORK, S.IN_STOCK, S.PENDING_PURCHASE,
                  S.PENDING_OUTSOURCE}


@dataclass
class TaskPlan:
    """One route step of one order, with its planned working hours."""

    seq: int
    process: str
    line: str
    hours: float
    outsourced: bool


@dataclass
class OrderPlan:
    """Everything about one demo order, decided before it is written."""

    index: int
    target: Status
    customer: Customer
    product: str
    quantity: int
    priority: str
    line: str
    tasks: list[TaskPlan]
    carrier: str | None
    steps: list[Step] = field(default_factory=list)
    gaps: list[float] = field(default_factory=list)
    slack: float = 0.0
    progress: float = 0.0  # share of production done, for orders in production
    created: datetime | None = None
    times: list[datetime] = field(default_factory=list)
    promised: date | None = None
    schedule_date: date | None = None
    erp_no: str | None = None
    source: str = "chat"
    note: str = ""


def make_plans(rng: random.Random, customers: dict[str, Customer], now: datetime,
               clock: WorkClock) -> list[OrderPlan]:
    """All demo orders, oldest first."""
    targets = [status for status, n in STATUS_COUNTS for _ in range(n)]
    rng.shuffle(targets)
    by_short = {c[1]: c for c in D.CUSTOMERS}
    plans = []
    for i, target in enumerate(targets):
        short = rng.choice(list(by_short))
        plans.append(_plan_order(rng, i, target, customers[short], by_short[short]))
    for plan in plans:
        _place(rng, plan, now, clock)
    plans.sort(key=lambda p: (p.created, p.index))
    today = now.astimezone(clock.tz).date()
    _promise(rng, plans, today, clock)
    _label(rng, plans)
    return plans


def _plan_order(rng: random.Random, index: int, target: Status, customer: Customer, row: tuple) -> OrderPlan:
    """Product, quantity, route hours and the path of one order."""
    product = rng.choice(row[4])
    low, high = D.PRODUCTS[product][5]
    step = 50 if high >= 1000 else 10
    quantity = max(low, round(rng.randint(low, high) / step) * step)
    tasks = task_plans(product, quantity)
    in_house = [t for t in tasks if not t.outsourced]
    line = max(in_house, key=lambda t: t.hours).line
    self_pickup = row[2] == "浙江" and target != S.IN_TRANSIT and rng.random() < 0.3
    carrier = SELF_PICKUP if self_pickup else _carrier(rng)
    r = rng.random()
    priority = "urgent" if r < 0.06 else "high" if r < 0.22 else "normal"
    plan = OrderPlan(index, target, customer, product, quantity, priority, line, tasks, carrier)
    full = _full_path(rng, target, any(t.outsourced for t in tasks), self_pickup)
    gaps = [_gap(rng, cmd, full, i, tasks) for i, (cmd, _to) in enumerate(full)]
    cut = _cut(rng, target, full)
    plan.steps, plan.gaps = full[:cut], gaps[:cut]
    if target == S.CANCELLED:
        plan.steps.append(CX)
        plan.gaps.append(rng.uniform(*GAPS["cancel"]))
    if target == S.IN_PRODUCTION:
        plan.progress = rng.uniform(0.1, 0.9)
        plan.slack = plan.progress * gaps[cut]
    else:
        plan.slack = rng.uniform(*SLACK[target])
    return plan


def _carrier(rng: random.Random) -> str:
    names = [n for n in D.CARRIERS if n != SELF_PICKUP]
    return rng.choices(names, weights=[D.CARRIERS[n][0] for n in names])[0]


def task_plans(product: str, quantity: int) -> list[TaskPlan]:
    """The route of a product sized for a quantity, in elapsed working hours per step."""
    route = D.PRODUCTS[product][6]
    tasks = [TaskPlan(seq, process, line, OUTSOURCE_HOURS if line == D.OUTSOURCE_LINE
                      else max(0.5, hours * quantity / 100 * PRODUCTION_SPEED), line == D.OUTSOURCE_LINE)
             for seq, (process, hours, line) in enumerate(route, start=1)]
    in_house = sum(t.hours for t in tasks if not t.outsourced)
    if in_house > MAX_PRODUCTION_HOURS:
        for t in tasks:
            if not t.outsourced:
                t.hours = round(t.hours * MAX_PRODUCTION_HOURS / in_house, 2)
    return tasks


def _full_path(rng: random.Random, target: Status, outsourced: bool, self_pickup: bool) -> list[Step]:
    """The whole life of an order that goes this way; it is cut where `target` is reached."""
    if target == S.PENDING_OUTSOURCE and (not outsourced or rng.random() < 0.3):
        return [AO]
    pre = [A]
    if target == S.PENDING_PURCHASE or rng.random() < 0.18:
        pre = [AP, MR] if rng.random() < 0.7 else [A, RP, MR]
    sched = [SC, US, SC] if rng.random() < 0.06 else [SC]
    via_outsource = outsourced and (target == S.PENDING_OUTSOURCE or rng.random() < 0.7)
    make = [ST, OS, OR] if via_outsource else [ST, FI]
    qc = [QF, RD, QP] if target == S.REWORK or rng.random() < 0.12 else [QP]
    tail = [SI, SH, DL, CP] if self_pickup else [SI, SH, PU, DL, CP]
    return pre + sched + make + qc + tail


def _cut(rng: random.Random, target: Status, full: list[Step]) -> int:
    """How many steps of the full path the order has walked."""
    status, after = S.PENDING_REVIEW, []
    for _cmd, to in full:
        status = to or status
        after.append(status)
    if target == S.PENDING_REVIEW:
        return 0
    if target == S.CANCELLED:
        return rng.choice([0] + [i + 1 for i, st in enumerate(after) if st in CANCELLABLE])
    return rng.choice([i + 1 for i, st in enumerate(after) if st == target])


def _gap(rng: random.Random, command: str, full: list[Step], i: int, tasks: list[TaskPlan]) -> float:
    """Working hours before step `i`; production steps last as long as their route."""
    if command == "finish_production":
        return sum(t.hours for t in tasks)
    if command == "outsource":
        first = next(k for k, t in enumerate(tasks) if t.outsourced)
        return max(1.0, sum(t.hours for t in tasks[:first]))
    return rng.uniform(*GAPS[command])


def _place(rng: random.Random, plan: OrderPlan, now: datetime, clock: WorkClock) -> None:
    """Creation time and the time of each step, ending `slack` working hours before now."""
    earliest = now - timedelta(days=HISTORY_DAYS)
    while True:
        anchor = clock.retreat(now, plan.slack)
        created = clock.retreat(anchor, sum(plan.gaps))
        if created >= earliest:
            break
        plan.gaps = [g * 0.85 for g in plan.gaps]
        plan.slack *= 0.85
    plan.gaps = [max(g, 0.1) for g in plan.gaps]
    plan.created, t = created, created
    plan.times = []
    for g in plan.gaps:
        t = clock.advance(t, g)
        plan.times.append(t)


def step_time(plan: OrderPlan, command: str) -> datetime | None:
    """When the last step named `command` happened, if it did."""
    found = None
    for (cmd, _to), t in zip(plan.steps, plan.times, strict=True):
        if cmd == command:
            found = t
    return found


def _promise(rng: random.Random, plans: list[OrderPlan], today: date, clock: WorkClock) -> None:
    """Promised dates: kept by most, missed by a few, due soon or overdue for some open ones."""
    tz = clock.tz
    for plan in plans:
        created = plan.created.astimezone(tz).date()
        shipped = step_time(plan, "ship")
        if shipped:
            late = rng.random() < 0.1
            days = -rng.randint(1, 2) if late else rng.randint(1, 6)
            plan.promised = shipped.astimezone(tz).date() + timedelta(days=days)
        elif plan.target in (S.PENDING_REVIEW, S.CANCELLED):
            plan.promised = created + timedelta(days=rng.randint(7, 25))
        else:
            plan.promised = max(today + timedelta(days=rng.randint(3, 20)), created + timedelta(days=7))
        if plan.target == S.SCHEDULED:
            plan.schedule_date = clock.workday_after(today, rng.randint(1, 4))
    open_plans = [p for p in plans if p.target in ALERT_STATUSES]
    old = [p for p in open_plans if p.created.astimezone(tz).date() <= today - timedelta(days=8)]
    overdue = rng.sample(old, min(12, len(old)))
    for plan in overdue:
        plan.promised = today - timedelta(days=rng.randint(1, 4))
    rest = [p for p in open_plans if p not in overdue]
    for plan in rng.sample(rest, min(10, len(rest))):
        plan.promised = today + timedelta(days=rng.randint(0, 2))


def _label(rng: random.Random, plans: list[OrderPlan]) -> None:
    """ERP numbers, the source each order came in by, and the odd internal note."""
    erp_seq = 10231
    for plan in plans:
        if rng.random() < 0.35:
            plan.erp_no = f"ERP-{plan.created.year}-{erp_seq}"
            erp_seq += rng.randint(1, 3)
            plan.source = "api" if rng.random() < 0.7 else "import"
        else:
            plan.source = "chat" if rng.random() < 0.65 else "web"
        if rng.random() < 0.2:
            plan.note = rng.choice(D.NOTES)
