"""Use cases on alerts: acknowledge (chat, API, admin), rule problems for the admin and /healthz."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from alerts import texts
from alerts.exceptions import AlertNotFound, AlertResolved
from alerts.models import Alert, AlertRule
from alerts.rules import ensure_default_rules, rule_errors, seed_rules  # noqa: F401  (re-exported)
from core.bus import UnitOfWork
from core.db import new_session
from core.runtime import current_runtime
from core.types import utcnow
from notify import live
from notify import texts as ntexts
from notify.card_updates import close_alert_cards
from orders.actor import Actor
from orders.exceptions import NotAllowed
from orders.models import Order
from orders.recipients import People, load_people, resolve_all, split_specs
from orders.roles import Role
from orders.service import find_order
from workcal.service import fallback_warnings


def _acked(uow: UnitOfWork, alerts: list[Alert], actor: Actor, now: datetime) -> None:
    for alert in alerts:
        alert.status, alert.acked_by, alert.acked_at, alert.next_action_at = "acked", actor.name, now, None
        uow.session.add(alert)
    if alerts:
        items = [{"id": a.id, "order_no": a.order_no, "level": a.level, "rule": a.rule_code} for a in alerts]
        uow.after_commit(lambda: _publish({"action": "acked", "by": actor.name, "items": items}))
        rt = uow.runtime
        if rt is not None and rt.settings.notify.wecom_cards:  # the cards still showing buttons say who acked
            text = ntexts.card_done(actor.name, ntexts.CARD_ACKED, now.astimezone(rt.settings.tz).strftime("%H:%M"))
            ids = [a.id for a in alerts]
            uow.after_commit(lambda: [rt.enqueue(close_alert_cards, i, text) for i in ids])


def _publish(data: dict) -> None:
    live.publish(current_runtime(), "alert", data)


def may_ack(session: Session, alert: Alert, actor: Actor, people: People | None = None) -> bool:
    """An admin, a recipient of the alert (told, or named by its rule), or a manager above a recipient;
    an API token (no person) by its role: admin, manager, or a role the rule addresses."""
    if Role.ADMIN in actor.roles:
        return True
    rule = session.get(AlertRule, alert.rule_id)
    if actor.staff_id is None:  # an API token: its role must be one the rule addresses, or manager
        named_roles = {spec.partition(":")[2] for spec in split_specs(rule.recipients if rule else [])
                       if spec.startswith(("role:", "head:"))}
        return Role.MANAGER in actor.roles or bool({r.value for r in actor.roles} & named_roles)
    people = people or load_people(session)
    recipients = {n.get("staff_id") for n in alert.notified or [] if isinstance(n, dict)}
    order = session.get(Order, alert.order_id)
    if rule is not None and order is not None:
        named, _ = resolve_all(people, rule.recipients, owner_id=order.sales_owner_id)
        recipients |= {p.id for p in named}
    if actor.staff_id in recipients:
        return True
    return any(actor.staff_id in {boss.id for boss in people.ladder(people.by_id[r])}
               for r in recipients if r in people.by_id)


def ack_order_alerts(uow: UnitOfWork, order_no: str, actor: Actor, *, now: datetime | None = None) -> list[Alert]:
    """「收到 SO…」: acknowledge the order's open alerts this person may ack (stops escalation);
    OrderNotFound if unknown, NotAllowed when there are open alerts but none of them is theirs."""
    order = find_order(uow, order_no)
    alerts = list(uow.session.exec(select(Alert).where(
        Alert.order_id == order.id, Alert.status == "open").with_for_update()).all())
    people = load_people(uow.session) if alerts else None
    mine = [a for a in alerts if may_ack(uow.session, a, actor, people)]
    if alerts and not mine:
        raise NotAllowed(texts.ack_not_yours(order.order_no))
    _acked(uow, mine, actor, now or utcnow())
    return mine


def ack_alert(uow: UnitOfWork, alert_id: int, actor: Actor, *, now: datetime | None = None) -> Alert:
    """Acknowledge one alert; acking an acked alert is a no-op, a resolved one is AlertResolved."""
    alert = uow.session.exec(select(Alert).where(Alert.id == alert_id).with_for_update()).first()
    if alert is None:
        raise AlertNotFound(texts.alert_not_found(alert_id))
    if alert.status == "resolved":
        raise AlertResolved(texts.alert_already_resolved(alert_id), current_status="resolved")
    if not may_ack(uow.session, alert, actor):
        raise NotAllowed(texts.ack_not_yours(alert.order_no))
    if alert.status == "open":
        _acked(uow, [alert], actor, now or utcnow())
    return alert


def rule_problems(session: Session) -> list[str]:
    """Why enabled rules cannot be evaluated or cannot reach people: data checks plus the last sweep's."""
    out: list[str] = []
    for rule in session.exec(select(AlertRule).where(AlertRule.enabled == True).order_by(AlertRule.id)).all():  # noqa: E712
        name = rule.name or rule.code
        for text in [f"{name}：{e}" for e in rule_errors(rule)] + (rule.last_error or "").splitlines():
            if text and text not in out:
                out.append(text)
    return out


def admin_warnings(session: Session, settings, runtime=None) -> list[str]:
    """Everything the admin should see about alerting: rule problems and calendar fallback years."""
    return rule_problems(session) + fallback_warnings(session, settings, runtime=runtime)


def health_check(runtime) -> dict:
    """/healthz entry: not ok while a rule cannot be evaluated or cannot reach its people."""
    with new_session(runtime.engine) as s:
        problems = rule_problems(s)
    return {"ok": not problems, "problems": problems}
