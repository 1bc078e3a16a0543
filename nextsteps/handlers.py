"""Event handlers: plan task cards on scheduling; tell the next person after every change."""

from __future__ import annotations

import logging
import math

from sqlmodel import Session, select

from core.bus import UnitOfWork
from core.runtime import Runtime
from insight import decision_text
from insight.buffer import product_line_of
from nextsteps import texts
from nextsteps.models import NextStepRule
from nextsteps.picture import days_left
from nextsteps.planning import lines_for, plan_tasks
from nextsteps.rules import AT_RISK_WORKING_DAYS, add_default_rules
from notify.cards import card_payload, order_link
from notify.outbox import queue_notification
from orders import events as ev
from orders.flow import moves_from
from orders.materials import packaging_need
from orders.models import Customer, Order, Product, ProductionTask
from orders.recipients import load_people, resolve_all
from orders.roles import OVERRIDE_ROLES
from orders.status import Status
from workcal.service import calendar_for

log = logging.getLogger(__name__)

HISTORY_WINDOW = 200  # the customer's latest deliveries that make the on-time record


def plan_on_schedule(event: ev.OrderScheduled, uow: UnitOfWork) -> None:
    """Scheduling creates the order's task cards for the planning board."""
    rt: Runtime = uow.runtime
    order = uow.session.get(Order, event.order_id)
    named = (getattr(event, "fields", None) or {}).get("line")
    plan_tasks(uow.session, order, lines_for(uow.session, rt.settings), now=event.at, named_line=named)


def event_key(event: ev.OrderEvent) -> str:
    """A key unique to one occurrence, so a replayed transition sends nothing more."""
    if isinstance(event, ev.StatusChanged):
        return f"se{event.status_event_id}"
    if isinstance(event, ev.QcPassed):
        return f"qc{event.inspection_id}"
    return f"{type(event).__name__}:{event.order_id}"


def tell_next_person(event: ev.OrderEvent, uow: UnitOfWork) -> None:
    """Queue one message per matching rule and recipient, never to the person who made the change."""
    rt: Runtime = uow.runtime
    s = uow.session
    rules = _rules_for(s, type(event).__name__)
    if not rules:
        return
    order = s.get(Order, event.order_id)
    cal = calendar_for(s, rt.settings)
    ctx = context(s, order, event, cal, rt)
    people = load_people(s)
    for rule in rules:
        if rule.condition == "at_risk" and ctx["days_left"] > AT_RISK_WORKING_DAYS:
            continue
        recipients, _ = resolve_all(people, rule.recipients, owner_id=order.sales_owner_id, line=order.line)
        for person in recipients:
            if event.actor_staff_id is not None and person.id == event.actor_staff_id:
                continue
            body = texts.render(rule.key, ctx)
            n = queue_notification(uow, kind="next_step", channel=rule.channel, recipient=person.userid or "",
                                   recipient_name=person.name, body=body,
                                   dedupe_key=f"next:{event_key(event)}:{rule.key}:{person.id}",
                                   payload=message_payload(rt, rule, person, order, body), order_id=order.id)
            if n is not None and not person.userid:
                n.status, n.last_error = "skipped", texts.no_wecom_account(person.name)


def message_payload(rt: Runtime, rule: NextStepRule, person, order: Order, body: str) -> dict:
    """Plain text, or with WECOM_CARDS a card: 审核通过 when this person may approve the order now,
    确认收到, and 去处理 to the order page. The card carries the order's version: a click after the order
    changed is refused rather than applied to a different state."""
    if not (rt.settings.notify.wecom_cards and rule.channel == "wecom_app"):
        return {"msgtype": "text"}
    buttons = ["approve"] if may_approve(order, person.role_set) else []
    return card_payload(title=texts.card_title(body), buttons=[*buttons, "seen"],
                        url=order_link(rt.settings, order.order_no), order_no=order.order_no,
                        version=order.version)


def may_approve(order: Order, roles) -> bool:
    """True when the order awaits review and one of `roles` may make the approve move."""
    moves = [t for t in moves_from(Status(order.status)) if t.command == "approve"]
    return bool(moves) and bool(set(roles) & (moves[0].roles | OVERRIDE_ROLES))


def _rules_for(s: Session, event_name: str) -> list[NextStepRule]:
    """Enabled rules of an event; a fresh database gets the default rules on first use."""
    query = select(NextStepRule).where(NextStepRule.event == event_name, NextStepRule.enabled == True)  # noqa: E712
    rules = s.exec(query).all()
    if not rules and s.exec(select(NextStepRule.id).limit(1)).first() is None:
        add_default_rules(s)
        rules = s.exec(query).all()
    return list(rules)


def context(s: Session, order: Order, event: ev.OrderEvent, cal, rt: Runtime) -> dict:
    """What the templates need about the order and the change."""
    customer = s.get(Customer, order.customer_id)
    product = s.get(Product, order.product_id)
    today = event.at.astimezone(rt.settings.tz).date()
    tasks = s.exec(select(ProductionTask).where(ProductionTask.order_id == order.id)
                   .order_by(ProductionTask.seq)).all()
    fields = getattr(event, "fields", {}) or {}
    return {
        "order_no": order.order_no, "customer": customer.name, "product": f"{product.code} {product.name}",
        "quantity": order.quantity, "promised_date": order.promised_date.isoformat(),
        "status_label": Status(order.status).label, "days_left": days_left(cal, today, order.promised_date),
        "history": f"{delivery_history(s, order)}\n{buffer_line(s, order, event, rt)}",
        "shortages": fields.get("shortages", []),
        "admin_link": f"{rt.settings.public_base_url.rstrip('/')}/admin/orders/{order.order_no}",
        "line": order.line, "planned_start": order.planned_start, "planned_end": order.planned_end,
        "days_to_start": cal.working_days_between(today, order.planned_start) if order.planned_start else "—",
        "tasks": [{"process": t.process, "line": t.line} for t in tasks], "qc_doc": product.qc_standard_doc,
        "reason": fields.get("reason") or "", "packaging": packaging(s, order),
        "carrier": order.carrier or "", "tracking_no": order.tracking_no or "",
        "eta": order.eta.isoformat() if order.eta else "",
    }


def delivery_history(s: Session, order: Order) -> str:
    """The customer's record: delivered orders and how many arrived by the promised date."""
    done = s.exec(select(Order.delivered_at, Order.promised_date).where(
        Order.customer_id == order.customer_id, Order.delivered_at.is_not(None), Order.id != order.id)
        .order_by(Order.delivered_at.desc()).limit(HISTORY_WINDOW)).all()
    if not done:
        return texts.history_none()
    on_time = sum(1 for at, promised in done if at.date() <= promised)
    return texts.history(len(done), on_time, len(done) == HISTORY_WINDOW)


def buffer_line(s: Session, order: Order, event: ev.OrderEvent, rt: Runtime) -> str:
    """insight's suggested delivery buffers (the customer's, and its product line's for this customer and
    overall; or 历史不足), for the planner approving the order."""
    return decision_text(s, order.customer_id, product_line_of(s, order.product_id), now=event.at,
                         settings=rt.settings)


def packaging(s: Session, order: Order) -> dict | None:
    found = packaging_need(s, order)
    if not found:
        return None
    material, need = found
    stock = math.floor((material.stock_on_hand or 0) + 1e-6)  # whole units on hand, as the warehouse board
    return {"name": material.name, "unit": material.unit, "need": need, "stock": stock, "short": need > stock}
