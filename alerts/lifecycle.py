"""Reconcile one rule's alerts with what the database says should be open.

raise (new hits) → notify step 0 → escalate one rung per ack window (or repeat) → resolve
when the condition clears, with one 已解除 per person told. Inhibited alerts stay open but
silent. Rows that change are re-read FOR UPDATE, so an ack committed meanwhile wins.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from alerts import notifier
from alerts.conditions import Context, Hit
from alerts.models import Alert, AlertRule, open_key
from alerts.notifier import Problems
from core.bus import UnitOfWork
from notify import texts as ntexts
from notify.card_updates import close_alert_cards
from orders.recipients import People, resolve_all

CHUNK = 100  # rows per batch; each batch commits (and is the unit of the time budget)
UNRESOLVED = ("open", "acked")


@dataclass
class RuleRun:
    """One rule's pass of the sweep inside one unit of work."""

    uow: UnitOfWork
    rule: AlertRule
    hits: dict[int, Hit]
    inhibited: set[int]
    ctx: Context
    people: People
    deadline: float | None = None  # time.monotonic() after which only one batch per step runs
    problems: Problems = field(default_factory=Problems)
    changes: list[dict] = field(default_factory=list)
    deferred: int = 0

    @property
    def s(self) -> Session:
        return self.uow.session

    # ---- timing -------------------------------------------------------------------------------
    def after(self, start: datetime, minutes: int) -> datetime:
        """`minutes` after `start`, counted in working time unless the rule bypasses quiet hours."""
        if self.rule.bypass_quiet:
            return start + timedelta(minutes=minutes)
        return self.ctx.cal.add_working_hours(start, minutes / 60)

    def _plan_next(self, alert: Alert, owners) -> None:
        """Set when the sweep should next look at this alert (None: nothing more to do)."""
        due = []
        rule = self.rule
        if not notifier.channels_of(rule):
            alert.next_action_at = None
            return
        if rule.ack_window_minutes and notifier.ladder_targets(rule, owners, self.people,
                                                               alert.escalation_level + 1):
            due.append(self.after(alert.last_notified_at, rule.ack_window_minutes))
        if rule.repeat_minutes:
            due.append(self.after(alert.last_notified_at, rule.repeat_minutes * (alert.repeat_count + 1)))
        alert.next_action_at = min(due) if due else None

    def _send(self, alert: Alert, messages) -> datetime:
        when = notifier.delivery_time(self.rule, self.ctx.cal, self.ctx.now)
        alert.notified = [*(alert.notified or []), *notifier.queue(self.uow, alert, self.rule, messages, when)]
        return when or self.ctx.now

    def _owners(self, alert: Alert):
        hit = self.hits[alert.order_id]
        owners, missing = resolve_all(self.people, self.rule.recipients, owner_id=hit.owner_id)
        for what in missing:
            self.problems.nobody(what, alert.order_no)
        return owners

    # ---- steps --------------------------------------------------------------------------------
    def run(self) -> list[dict]:
        """Resolve, raise, re-check inhibition and follow up, committing batch by batch.

        Past the deadline each step still does one batch and leaves the rest to the next
        sweep (the reconciler catches up), so a burst never outlives the job's timeout.
        """
        rule_id = self.rule.id
        rows = self.s.exec(select(Alert.id, Alert.order_id, Alert.inhibited).where(
            Alert.rule_id == rule_id, Alert.status.in_(UNRESOLVED))).all()
        known = {order_id for _, order_id, _ in rows}
        gone = [aid for aid, oid, _ in rows if oid not in self.hits]
        flipped = [aid for aid, oid, inh in rows if oid in self.hits and bool(inh) != (oid in self.inhibited)]
        self._batches(gone, lambda batch: [self._resolve(a) for a in self._lock(batch)])
        self._batches([h for oid, h in self.hits.items() if oid not in known], self._raise)
        self._batches(flipped, lambda batch: [self._set_inhibited(a) for a in self._lock(batch)])
        skip = set(flipped)
        due = [i for i in self.s.exec(select(Alert.id).where(
            Alert.rule_id == rule_id, Alert.status == "open", Alert.inhibited == False,  # noqa: E712
            Alert.next_action_at <= self.ctx.now)).all() if i not in skip]
        self._batches(due, lambda batch: [self._follow_up(a) for a in self._lock(batch)
                                          if a.order_id in self.hits])
        return self.changes

    def _batches(self, items: list, work) -> None:
        for i in range(0, len(items), CHUNK):
            work(items[i:i + CHUNK])
            self.uow.commit()
            if self.deadline is not None and time.monotonic() > self.deadline:
                self.deferred += max(0, len(items) - i - CHUNK)
                return

    def _lock(self, ids: list[int]) -> list[Alert]:
        stmt = select(Alert).where(Alert.id.in_(ids)).with_for_update()
        return [a for a in self.s.exec(stmt).all() if a.status in UNRESOLVED]

    def _raise(self, hits: list[Hit]) -> None:
        now, rule = self.ctx.now, self.rule
        rows = [{"rule_id": rule.id, "rule_code": rule.code, "order_id": h.order_id, "order_no": h.order_no,
                 "level": rule.level, "family": rule.family, "status": "open", "detail": h.detail,
                 "open_key": open_key(h.order_id, rule.id), "inhibited": h.order_id in self.inhibited,
                 "raised_at": now, "escalation_level": 0, "repeat_count": 0, "notified": []} for h in hits]
        self.s.execute(_insert_ignoring_open_duplicates(self.s, rows))
        keys = [r["open_key"] for r in rows]
        for alert in self.s.exec(select(Alert).where(Alert.open_key.in_(keys))).all():
            if alert.raised_at == now and alert.status == "open":
                self.changes.append(_change("raised", alert))
                if not alert.inhibited:
                    self._notify_first(alert)

    def _notify_first(self, alert: Alert) -> None:
        owners = self._owners(alert)
        messages = notifier.first_messages(alert, self.rule, owners, self.people, self.problems)
        alert.last_notified_at = self._send(alert, messages)
        self._plan_next(alert, owners)
        self.s.add(alert)

    def _follow_up(self, alert: Alert) -> None:
        """Escalate one rung when the ack window passed, else repeat when the repeat interval passed."""
        rule, now = self.rule, self.ctx.now
        owners = self._owners(alert)
        step = alert.escalation_level + 1
        targets = notifier.ladder_targets(rule, owners, self.people, step)
        if rule.ack_window_minutes and targets and now >= self.after(alert.last_notified_at,
                                                                     rule.ack_window_minutes):
            messages = notifier.escalation_messages(alert, rule, targets, step, owners, self.problems)
            alert.last_notified_at = self._send(alert, messages)
            alert.escalation_level, alert.repeat_count = step, 0
            self.changes.append(_change("escalated", alert))
        elif rule.repeat_minutes and now >= self.after(alert.last_notified_at,
                                                       rule.repeat_minutes * (alert.repeat_count + 1)):
            current = owners if alert.escalation_level == 0 else notifier.ladder_targets(
                rule, owners, self.people, alert.escalation_level)
            self._send(alert, notifier.repeat_messages(alert, rule, current, self.problems))
            alert.repeat_count += 1
        self._plan_next(alert, owners)
        self.s.add(alert)

    def _set_inhibited(self, alert: Alert) -> None:
        alert.inhibited = alert.order_id in self.inhibited
        if alert.inhibited:
            alert.next_action_at = None
            self.changes.append(_change("inhibited", alert))
        elif alert.status == "open" and not alert.notified:
            self._notify_first(alert)
        elif alert.status == "open":
            alert.last_notified_at = self.ctx.now
            self._plan_next(alert, self._owners(alert))
        self.s.add(alert)

    def _resolve(self, alert: Alert) -> None:
        alert.status, alert.resolved_at = "resolved", self.ctx.now
        alert.open_key, alert.next_action_at = None, None
        if alert.notified:
            self._send(alert, notifier.resolution_messages(alert, self.rule))
        rt = self.uow.runtime
        if rt is not None and rt.settings.notify.wecom_cards:
            alert_id = alert.id
            self.uow.after_commit(lambda: rt.enqueue(close_alert_cards, alert_id, ntexts.CARD_RESOLVED))
        self.s.add(alert)
        self.changes.append(_change("resolved", alert))


def _insert_ignoring_open_duplicates(s: Session, rows: list[dict]):
    """INSERT … ON CONFLICT (open_key) DO NOTHING: a second sweep racing this one adds nothing."""
    dialect = s.get_bind().dialect.name
    ins = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect]
    return ins(Alert).values(rows).on_conflict_do_nothing(index_elements=["open_key"])


def _change(action: str, alert: Alert) -> dict:
    return {"action": action, "id": alert.id, "order_no": alert.order_no, "level": alert.level,
            "rule": alert.rule_code}
