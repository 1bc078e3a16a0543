"""Compose an alert's messages for each step and queue them in the outbox.

Each message has the dedupe key `alert:{id}:{channel}:{recipient}:{step}`, so a repeated
sweep or a retried job never queues it twice. Quiet hours and holidays set the outbox
`not_before` to the next working time (unless the rule bypasses quiet hours).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from alerts import texts
from alerts.models import Alert, AlertRule
from alerts.rules import CHANNELS
from core.bus import UnitOfWork
from notify.cards import card_payload, order_link
from notify.outbox import queue_notification
from orders.models import Staff
from orders.recipients import People, address
from workcal.calendar import Calendar

RESOLVE_PREFERENCE = ("wecom_app", "email", "sms")


@dataclass(frozen=True)
class Message:
    """One text for one person on one channel."""

    staff_id: int | None
    name: str
    channel: str
    recipient: str
    body: str
    step: str
    kind: str = "alert"


class Problems(list):
    """Rule problems met while notifying (Chinese texts, no duplicates), and orders nobody hears of."""

    def __init__(self):
        super().__init__()
        self.unheard: dict[str, list[str]] = {}

    def add(self, text: str) -> None:
        if text not in self:
            self.append(text)

    def nobody(self, what: str, order_no: str) -> None:
        self.unheard.setdefault(what, []).append(order_no)

    def texts(self, rule_name: str) -> list[str]:
        return [*self, *(texts.missing_recipient(rule_name, w, nos) for w, nos in self.unheard.items())]


def channels_of(rule: AlertRule) -> list[str]:
    """The rule's channels that exist (a typo in the data is reported by the rule checks, not sent)."""
    return [c for c in rule.channels or [] if c in CHANNELS]


def delivery_time(rule: AlertRule, cal: Calendar, now: datetime) -> datetime | None:
    """`not_before` of a message sent now: None inside working time or when the rule bypasses quiet hours."""
    if rule.bypass_quiet or not cal.is_quiet(now):
        return None
    return cal.next_working_time(now)


def _to(person: Staff, channel: str, body: str, step: str, rule: AlertRule, problems: Problems) -> list[Message]:
    where = address(person, channel)
    if where is None:
        problems.add(texts.missing_address(rule.name or rule.code, person.name, channel))
        return []
    return [Message(person.id, person.name, channel, where, body, step)]


def first_messages(alert: Alert, rule: AlertRule, owners: list[Staff], people: People,
                   problems: Problems) -> list[Message]:
    """Step 0: the responsible people on the rule's channels, their managers by email (cc)."""
    out: list[Message] = []
    for person in owners:
        body = texts.raised(alert.level, rule.name, alert.order_no, alert.detail, person.name)
        for channel in channels_of(rule):
            out += _to(person, channel, body, "0", rule, problems)
    if rule.cc_manager and channels_of(rule):
        owner_ids = {p.id for p in owners}
        for person in owners:
            boss = people.manager_of(person)
            if boss is not None and boss.id not in owner_ids:
                body = texts.cc(alert.level, rule.name, alert.order_no, alert.detail, person.name)
                out += _to(boss, "email", body, "0cc", rule, problems)
    return _unique(out)


def ladder_targets(rule: AlertRule, owners: list[Staff], people: People, step: int) -> list[Staff]:
    """Who hears step `step` (≥ 1): the manager's manager at step 1 when managers are cc'd, and so on up."""
    index = step if rule.cc_manager else step - 1
    found: dict[int, Staff] = {}
    for person in owners:
        ladder = people.ladder(person)
        if index < len(ladder):
            found[ladder[index].id] = ladder[index]
    return list(found.values())


def escalation_messages(alert: Alert, rule: AlertRule, targets: list[Staff], step: int,
                        owners: list[Staff], problems: Problems) -> list[Message]:
    """Step n: the people n rungs up, on the rule's channels."""
    waited = "、".join(p.name for p in owners) + " " + texts.window_text(rule.ack_window_minutes)
    body = texts.escalated(alert.level, rule.name, alert.order_no, alert.detail, step, waited)
    out: list[Message] = []
    for person in targets:
        for channel in channels_of(rule):
            out += _to(person, channel, body, str(step), rule, problems)
    return _unique(out)


def repeat_messages(alert: Alert, rule: AlertRule, targets: list[Staff], problems: Problems) -> list[Message]:
    """The current step's people again (repeat interval), with a counter in the text."""
    count = alert.repeat_count + 1
    body = texts.repeated(alert.level, rule.name, alert.order_no, alert.detail, count)
    step = f"{alert.escalation_level}r{count}"
    out: list[Message] = []
    for person in targets:
        for channel in channels_of(rule):
            out += _to(person, channel, body, step, rule, problems)
    return _unique(out)


def resolution_messages(alert: Alert, rule: AlertRule) -> list[Message]:
    """Exactly one 已解除 per person who was told, on the first of WeCom, email, SMS they got."""
    best: dict[str, dict] = {}
    for entry in alert.notified or []:
        who = str(entry.get("staff_id") or entry["recipient"])
        rank = RESOLVE_PREFERENCE.index(entry["channel"]) if entry["channel"] in RESOLVE_PREFERENCE else 9
        if who not in best or rank < best[who]["rank"]:
            best[who] = {**entry, "rank": rank}
    body = texts.resolved(rule.name, alert.order_no, alert.level)
    return [Message(e.get("staff_id"), e.get("name", ""), e["channel"], e["recipient"], body, "resolved",
                    kind="alert_resolved") for e in best.values()]


def queue(uow: UnitOfWork, alert: Alert, rule: AlertRule, messages: list[Message],
          not_before: datetime | None) -> list[dict]:
    """Write the messages to the outbox (idempotent per dedupe key); returns the `notified` entries."""
    entries = []
    subject = texts.subject(alert.level, rule.name or rule.code, alert.order_no)
    settings = uow.runtime.settings if uow.runtime else None
    for m in messages:
        payload = {"order_no": alert.order_no, "level": alert.level, "step": m.step}
        if settings and settings.notify.wecom_cards and m.channel == "wecom_app" and m.kind == "alert":
            payload = {**payload, **card_payload(title=subject, buttons=["ack"], url=order_link(settings, alert.order_no),
                                                 alert_id=alert.id)}
        queue_notification(
            uow, kind=m.kind, channel=m.channel, recipient=m.recipient, recipient_name=m.name, body=m.body,
            subject=subject, dedupe_key=f"alert:{alert.id}:{m.channel}:{m.recipient}:{m.step}",
            order_id=alert.order_id, alert_id=alert.id, not_before=not_before, payload=payload)
        entries.append({"staff_id": m.staff_id, "name": m.name, "channel": m.channel,
                        "recipient": m.recipient, "step": m.step})
    return entries


def _unique(messages: list[Message]) -> list[Message]:
    seen, out = set(), []
    for m in messages:
        if (m.channel, m.recipient, m.step) not in seen:
            seen.add((m.channel, m.recipient, m.step))
            out.append(m)
    return out
