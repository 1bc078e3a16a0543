"""Writes the demo's order plans through the real use cases, so every status event is genuine."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from core.bus import MessageBus, UnitOfWork
from demo import data as D
from demo.clock import WorkClock
from demo.plan import OrderPlan, make_plans, step_time
from orders import service
from orders.actor import Actor, Trace
from orders.flow import SELF_PICKUP
from orders.models import BomLine, Order, ProductionTask, PurchaseLine, Staff
from orders.roles import Role
from orders.status import Status

BATCH = 50
SCAN_DEVICE = "wh-scan-01"
PICKUP_ROBOT = Actor(name=D.PICKUP_ROBOT, source="api", roles=frozenset({Role.SYSTEM}))

# command: (roles whose people make it, sources with weights)
ACTING = {
    "approve": (("planner",), {"chat": 6, "web": 4}),
    "request_purchase": (("planner",), {"chat": 7, "web": 3}),
    "materials_ready": (("purchasing", "warehouse"), {"chat": 8, "web": 2}),
    "schedule": (("planner",), {"chat": 5, "web": 5}),
    "unschedule": (("planner",), {"chat": 6, "web": 4}),
    "outsource": (("planner", "purchasing"), {"chat": 7, "web": 3}),
    "outsource_returned": (("purchasing", "warehouse"), {"chat": 8, "web": 2}),
    "qc_pass": (("qc",), {"chat": 5, "web": 5}),
    "qc_fail": (("qc",), {"chat": 6, "web": 4}),
    "stock_in": (("warehouse",), {"scan": 6, "chat": 4}),
    "ship": (("warehouse", "logistics"), {"chat": 6, "scan": 4}),
    "pickup": (("logistics",), {"chat": 1}),
    "deliver": (("logistics", "sales"), {"chat": 1}),
    "complete": (("finance",), {"web": 7, "chat": 3}),
}
LINE_COMMANDS = {"start_production", "finish_production", "rework_done"}


class Cast:
    """Picks who made each move: demo.<role> often, colleagues of the same role otherwise."""

    def __init__(self, staff: dict[str, Staff], rng: random.Random):
        self.staff, self.rng = staff, rng
        self.leads = line_leads(staff)
        self.by_role: dict[str, list[Staff]] = {}
        for person in sorted(staff.values(), key=lambda p: p.id):
            for role in person.role_set:
                self.by_role.setdefault(role.value, []).append(person)
        self.by_id = {p.id: p for p in staff.values()}

    def person(self, role: str) -> Staff:
        if self.rng.random() < 0.45:
            return self.staff[f"demo.{role}"]
        return self.rng.choice(self.by_role[role])

    def actor(self, command: str, plan: OrderPlan) -> tuple[Actor, Trace]:
        """The actor and trace of one move of one order."""
        rng = self.rng
        if command in ("pickup", "deliver") and plan.carrier != SELF_PICKUP and rng.random() < 0.6:
            return PICKUP_ROBOT, Trace()
        if command in LINE_COMMANDS:
            lead = self.leads.get(plan.line) or self.staff["demo.production"]
            return _as_actor(lead, rng.choices(["chat", "web"], [85, 15])[0]), Trace()
        if command == "cancel":
            owner = self.by_id.get(plan.customer.sales_owner_id) or self.staff["demo.sales"]
            return _as_actor(owner, rng.choices(["chat", "web"], [7, 3])[0]), Trace()
        roles, sources = ACTING[command]
        source = rng.choices(list(sources), list(sources.values()))[0]
        role = "warehouse" if source == "scan" else rng.choice(roles)
        trace = Trace()
        if source == "scan":
            trace = Trace(device_id=SCAN_DEVICE, temperature=round(rng.uniform(15.5, 27.5), 1),
                          humidity=round(rng.uniform(42, 74), 1),
                          note=rng.choice(D.STOCK_IN_NOTES) if command == "stock_in" else "")
        return _as_actor(self.person(role), source), trace

    def creator(self, plan: OrderPlan) -> Actor:
        if plan.source == "api":
            return Actor(name=D.ERP_ACTOR, source="api", roles=frozenset({Role.SYSTEM}))
        if plan.source == "import":
            return Actor(name="导入", source="import")
        owner = self.by_id.get(plan.customer.sales_owner_id) or self.staff["demo.sales"]
        return _as_actor(owner, plan.source)


def line_leads(staff: dict[str, Staff]) -> dict[str, Staff]:
    """The lead of each production line (1号线 … 4号线)."""
    return {p.line: p for p in staff.values() if p.line}


def _as_actor(person: Staff, source: str) -> Actor:
    return Actor(name=person.name, source=source, roles=person.role_set, userid=person.userid,
                 staff_id=person.id)


def seed_orders(engine: Engine, bus: MessageBus, created: dict, *, now: datetime, tz: ZoneInfo) -> list[str]:
    """Create and walk every planned order, in batches; returns the order numbers."""
    clock = WorkClock(tz)
    # Separate streams, so a change of "now" moves no other part of the demo.
    plans = make_plans(random.Random(D.SEED + 1), created["customers"], now, clock)
    rng = random.Random(D.SEED + 2)
    walker = _Walker(Cast(created["staff"], rng), rng, clock, now)
    numbers: list[str] = []
    for start in range(0, len(plans), BATCH):
        with UnitOfWork(engine, bus) as uow:
            for plan in plans[start:start + BATCH]:
                numbers.append(walker.walk(uow, plan))
            uow.commit()
    with UnitOfWork(engine, bus) as uow:
        seed_stock_purchases(uow.session, created["materials"], random.Random(D.SEED + 3),
                             now.astimezone(tz).date())
        uow.commit()
    return numbers


class _Walker:
    """Creates one order and makes each of its planned moves at its planned time."""

    def __init__(self, cast: Cast, rng: random.Random, clock: WorkClock, now: datetime):
        self.cast, self.rng, self.clock, self.now = cast, rng, clock, now
        self.today = now.astimezone(clock.tz).date()
        self.tracking: set[str] = set()

    def walk(self, uow: UnitOfWork, plan: OrderPlan) -> str:
        s = uow.session
        erp_no = plan.erp_no
        if erp_no and s.exec(select(Order.id).where(Order.erp_no == erp_no)).first():
            erp_no = None  # a forced second seed keeps the first seed's aliases
        order = service.create_order(
            uow, customer=plan.customer.name, product=plan.product, quantity=plan.quantity,
            promised_date=plan.promised, actor=self.cast.creator(plan), tz=self.clock.tz, erp_no=erp_no,
            priority=plan.priority, internal_note=plan.note, now=plan.created)
        for (command, to), at in zip(plan.steps, plan.times, strict=True):
            actor, trace = self.cast.actor(command, plan)
            if command == "qc_pass":
                service.record_qc_pass(uow, order.order_no, actor=actor, trace=trace, now=at,
                                       material_batch=_batch(self.rng, plan.created.date() - timedelta(days=3)))
                continue
            fields, trace = self._fields(command, to, plan, at, trace)
            service.change_status(uow, order.order_no, actor=actor, to=to, command=command, fields=fields,
                                  trace=trace, now=at)
        self._tasks(s, order, plan)
        self._purchase(s, order, plan)
        return order.order_no

    def _fields(self, command: str, to: Status | None, plan: OrderPlan, at: datetime,
                trace: Trace) -> tuple[dict, Trace]:
        """What a move carries: schedule dates, carrier and tracking number, reasons, notes."""
        rng, tz = self.rng, self.clock.tz
        if command == "schedule":
            start = step_time(plan, "start_production")
            day = plan.schedule_date or (start.astimezone(tz).date() if start
                                         else self.clock.workday_after(at.astimezone(tz).date(), 2))
            hours = sum(t.hours for t in plan.tasks)
            end = self.clock.advance(self.clock.morning(day), hours).date()
            return {"date": day, "line": plan.line, "end_date": end}, trace
        if command == "ship":
            fields = {"carrier": plan.carrier, "eta": at.astimezone(tz).date() + timedelta(days=rng.randint(1, 3))}
            if plan.carrier != SELF_PICKUP:
                fields["tracking_no"] = self._tracking_no(plan.carrier)
            return fields, trace
        if command == "cancel":
            return {"reason": rng.choice(D.CANCEL_REASONS)}, trace
        if command == "qc_fail":  # the service records the failed inspection
            return {"reason": rng.choice(D.QC_DEFECTS),
                    "material_batch": _batch(rng, plan.created.date() - timedelta(days=3))}, trace
        if to == Status.PENDING_PURCHASE:
            return {}, _with_note(trace, self._purchase_note(plan))
        if command == "approve" and to == Status.PENDING_OUTSOURCE:
            return {}, _with_note(trace, D.WHOLE_OUTSOURCE_NOTE)
        if command == "outsource":
            task = next(t for t in plan.tasks if t.outsourced)
            vendor = D.OUTSOURCE_VENDORS.get(task.process, "")
            return {}, _with_note(trace, D.OUTSOURCE_NOTE.format(process=task.process, vendor=vendor))
        return {}, trace

    def _purchase_note(self, plan: OrderPlan) -> str:
        material, per_unit = D.PRODUCTS[plan.product][7][0]
        row = next(m for m in D.MATERIALS if m[0] == material)
        return D.PURCHASE_NOTE.format(material=row[1], quantity=round(plan.quantity * per_unit * 1.08, 1),
                                      unit=row[3])

    def _tracking_no(self, carrier: str) -> str:
        _weight, prefix, digits = D.CARRIERS[carrier]
        while True:
            number = prefix + "".join(str(self.rng.randrange(10)) for _ in range(digits))
            if number not in self.tracking:
                self.tracking.add(number)
                return number

    def _tasks(self, s: Session, order: Order, plan: OrderPlan) -> None:
        """Production tasks per route step for orders that are (or were) scheduled."""
        status = Status(order.status)
        if order.planned_start is None or status == Status.CANCELLED:
            return
        started = step_time(plan, "start_production")
        t = started or self.clock.morning(order.planned_start)
        done_until = _done_hours(plan, status)
        touched = plan.times[-1]
        if status == Status.IN_PRODUCTION:  # the line reported progress a little while ago
            touched = max(touched, self.clock.retreat(self.now, self.rng.uniform(0.1, 3)))
        for task in plan.tasks:
            end = self.clock.advance(t, task.hours)
            progress = 0.0 if done_until is None else max(0.0, min(1.0, done_until / task.hours))
            if done_until is not None:
                done_until -= task.hours
            s.add(ProductionTask(order_id=order.id, seq=task.seq, process=task.process, line=task.line,
                                 planned_start=t, planned_end=end, progress=round(progress * 100, 1),
                                 done=progress >= 1.0, updated_at=touched))
            t = end

    def _purchase(self, s: Session, order: Order, plan: OrderPlan) -> None:
        """A purchase line for orders that waited (or wait) for material."""
        if not any(to == Status.PENDING_PURCHASE for _cmd, to in plan.steps):
            return
        code, per_unit = D.PRODUCTS[plan.product][7][0]
        material = s.exec(select(BomLine).where(BomLine.product_id == order.product_id)
                          .order_by(BomLine.id)).first()
        row = next(m for m in D.MATERIALS if m[0] == code)
        arrived = step_time(plan, "materials_ready")
        tz = self.clock.tz
        if arrived:
            arrived_on = arrived.astimezone(tz).date()
            expected = arrived_on - timedelta(days=self.rng.randint(-1, 2))
        else:
            arrived_on, expected = None, self.today + timedelta(days=self.rng.randint(-3, 6))
        s.add(PurchaseLine(material_id=material.material_id, quantity=round(plan.quantity * per_unit * 1.08, 1),
                           arrived_quantity=round(plan.quantity * per_unit * 1.08, 1) if arrived_on else 0,
                           expected_on=expected, arrived_on=arrived_on, supplier=row[6], order_id=order.id,
                           batch_no=_batch(self.rng, arrived_on) if arrived_on else ""))


def _done_hours(plan: OrderPlan, status: Status) -> float | None:
    """Working hours of production done, or None when nothing has started."""
    if status == Status.SCHEDULED:
        return None
    first = next((k for k, t in enumerate(plan.tasks) if t.outsourced), len(plan.tasks))
    before_outsourcing = sum(t.hours for t in plan.tasks[:first])
    if status == Status.IN_PRODUCTION:
        return plan.progress * before_outsourcing
    if status == Status.PENDING_OUTSOURCE:
        return before_outsourcing
    return float("inf")


def _with_note(trace: Trace, note: str) -> Trace:
    return Trace(trace.device_id, trace.temperature, trace.humidity, trace.inbound_message_id, note)


def _batch(rng: random.Random, day: date) -> str:
    return f"B{day:%y%m%d}-{rng.randint(1, 24):02d}"


def seed_stock_purchases(s: Session, materials: dict, rng: random.Random, today: date) -> None:
    """Replenishment lines: arrived with batch numbers, expected, and a few late."""
    for code, material in materials.items():
        row = next(m for m in D.MATERIALS if m[0] == code)
        base = max(row[5], 100)
        for _ in range(rng.randint(1, 2)):
            arrived = today - timedelta(days=rng.randint(2, 26))
            s.add(PurchaseLine(material_id=material.id, quantity=base, arrived_quantity=base,
                               expected_on=arrived, arrived_on=arrived,
                               batch_no=_batch(rng, arrived), supplier=row[6]))
        r = rng.random()
        if r < 0.55:
            late = r < 0.2
            expected = today - timedelta(days=rng.randint(1, 4)) if late else today + timedelta(days=rng.randint(1, 9))
            s.add(PurchaseLine(material_id=material.id, quantity=base, expected_on=expected, supplier=row[6]))
