"""我的待办: the next steps the next-step rules assign to one person, read from the orders as they stand.

The rule that told someone of an order's last change is the rule of the event that brought the order
into its current status (审核 ← OrderCreated, 排产 ← OrderApproved/MaterialsReady, 开工 ← OrderScheduled
…); its recipient specs (`orders.recipients`) say who acts now. A person sees the steps those specs
name them for; a head also the steps of their team and of the roles they head (alerts.scope). The
web page (web/todo.py) and the chat command `我的待办` (bot/commands_lists.py) both call `todo_for`,
so they list the same orders. Informational messages (已发货, 已揽收, 已签收) are not to-dos.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, select

from alerts.scope import Scope, scope_of
from nextsteps import texts
from nextsteps.models import NextStepRule
from nextsteps.rules import AT_RISK_WORKING_DAYS, DEFAULT_RULES
from orders.actor import Actor
from orders.flow import TRANSITIONS
from orders.models import Customer, Order, Product
from orders.recipients import People, load_people, resolve_all, split_specs
from orders.roles import OVERRIDE_ROLES
from orders.status import Status
from workcal.calendar import Calendar

S = Status
RED_FLAG_DAYS = 3  # ≤ this many calendar days to the promised date: the red flag of boards and to-dos
# The events whose rules say who acts while an order is in a status (a passed QC waits for stock-in).
STEP_EVENTS: dict[Status, tuple[str, ...]] = {
    S.PENDING_REVIEW: ("OrderCreated",),
    S.PENDING_PURCHASE: ("PurchaseRequested",),
    S.PENDING_OUTSOURCE: ("OutsourceRequested",),
    S.PENDING_SCHEDULE: ("OrderApproved", "MaterialsReady", "OrderUnscheduled"),
    S.SCHEDULED: ("OrderScheduled",),
    S.IN_PRODUCTION: ("OrderScheduled",),
    S.REWORK: ("QcFailed",),
    S.PENDING_QC: ("ProductionFinished", "ReworkDone", "OutsourceReturned"),
    S.IN_STOCK: ("OrderStockedIn",),
}
QC_PASSED_EVENTS = ("QcPassed",)
# One-tap actions of the page: the order command a status offers (schedule opens the order's form).
ACTIONS = {S.PENDING_REVIEW: "approve", S.PENDING_SCHEDULE: "schedule"}


@dataclass
class TodoItem:
    """One next step of one order for the person asking."""

    order_no: str
    customer: str
    product: str
    quantity: int
    status: str
    status_label: str
    step: str
    due_label: str
    due: date
    days_to_due: int
    promised_date: date
    days_to_promise: int
    red_flag: bool
    version: int
    assignees: list[str] = field(default_factory=list)
    action: str = ""  # approve | schedule | "" (open the order)


@dataclass
class TodoList:
    items: list[TodoItem]
    total: int


def _rules(session: Session) -> dict[str, list]:
    """Enabled rules by event name (the defaults, unsaved, while the table is still empty)."""
    rows = list(session.exec(select(NextStepRule)).all())
    if not rows:
        rows = [NextStepRule(key=k, event=e, recipients=r, condition=c, description=d)
                for k, e, r, c, d in DEFAULT_RULES]
    out: dict[str, list] = {}
    for rule in rows:
        if rule.enabled:
            out.setdefault(rule.event, []).append(rule)
    return out


def _may(actor: Actor, command: str) -> bool:
    roles = set(actor.roles)
    return any(t.command == command and roles & (t.roles | OVERRIDE_ROLES) for t in TRANSITIONS)


def _headed_roles(people: People, actor: Actor) -> set[str]:
    """The roles this person is the department head of."""
    if actor.staff_id is None:
        return set()
    return {r.value for r in actor.roles if actor.staff_id in {p.id for p in people.head_of(r.value)}}


def _mine(scope: Scope, headed: set[str], specs: list[str], assignees: list) -> bool:
    if scope.everyone:
        return True
    spec_roles = {s.partition(":")[2] for s in specs if s.startswith(("role:", "head:"))}
    if scope.staff_ids:
        return bool({p.id for p in assignees} & scope.staff_ids) or bool(spec_roles & headed)
    return bool(spec_roles & scope.roles)


def _due(order: Order, status: Status) -> tuple[str, date]:
    if status == S.SCHEDULED and order.planned_start:
        return texts.DUE_START, order.planned_start
    if status in (S.IN_PRODUCTION, S.REWORK) and order.planned_end:
        return texts.DUE_END, order.planned_end
    return texts.DUE_PROMISE, order.promised_date


def todo_for(session: Session, actor: Actor, *, today: date, cal: Calendar, limit: int = 200) -> TodoList:
    """The next steps assigned to `actor` (and, for heads, to their team and roles), earliest due first."""
    people = load_people(session)
    scope = scope_of(actor, people)
    headed = _headed_roles(people, actor)
    rules = _rules(session)
    stmt = (select(Order, Customer.name, Customer.short_name, Product.code)
            .join(Customer, Customer.id == Order.customer_id).join(Product, Product.id == Order.product_id)
            .where(Order.status.in_([s.value for s in STEP_EVENTS])))
    items: list[TodoItem] = []
    for order, cust, short, prod in session.exec(stmt).all():
        status = Status(order.status)
        passed = status == S.PENDING_QC and order.qc_passed_at is not None
        events = QC_PASSED_EVENTS if passed else STEP_EVENTS[status]
        assignees: dict[int, object] = {}
        specs: list[str] = []
        for event in events:
            for rule in rules.get(event, []):
                if rule.condition == "at_risk" and cal.working_days_between(today, order.promised_date) \
                        > AT_RISK_WORKING_DAYS:
                    continue
                found, _ = resolve_all(people, rule.recipients, owner_id=order.sales_owner_id, line=order.line)
                specs += split_specs(rule.recipients)
                for p in found:
                    assignees.setdefault(p.id, p)
        if not specs or not _mine(scope, headed, specs, list(assignees.values())):
            continue
        due_label, due = _due(order, status)
        action = ACTIONS.get(status, "")
        to_promise = (order.promised_date - today).days
        items.append(TodoItem(
            order_no=order.order_no, customer=short or cust, product=prod, quantity=order.quantity,
            status=order.status, status_label=status.label, step=texts.step_name(status, passed),
            due_label=due_label, due=due, days_to_due=(due - today).days, promised_date=order.promised_date,
            days_to_promise=to_promise, red_flag=to_promise <= RED_FLAG_DAYS, version=order.version,
            assignees=[p.name for p in assignees.values()], action=action if _may(actor, action) else ""))
    items.sort(key=lambda i: (i.due, i.promised_date, i.order_no))
    return TodoList(items=items[:limit], total=len(items))
