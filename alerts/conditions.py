"""Condition kinds: one SQL query per kind that returns the orders a rule should alert on.

A rule row names a kind and gives it a threshold, a unit and (optionally) the statuses
to look at; the kind turns those into a cutoff with the working calendar and asks the
database — never a Python loop over every order.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, or_
from sqlmodel import Session, select

from alerts import texts
from alerts.exceptions import RuleInvalid
from alerts.models import AlertRule
from orders.flow import SELF_PICKUP
from orders.models import Order, PurchaseLine, StatusEvent
from orders.status import Status
from workcal.calendar import Calendar

S = Status
NOT_SCHEDULED = (S.PENDING_REVIEW, S.PENDING_SCHEDULE, S.PENDING_PURCHASE, S.PENDING_OUTSOURCE)
NOT_SHIPPED = (S.PENDING_REVIEW, S.PENDING_SCHEDULE, S.PENDING_PURCHASE, S.PENDING_OUTSOURCE, S.SCHEDULED,
               S.IN_PRODUCTION, S.PENDING_QC, S.REWORK, S.IN_STOCK)
BEFORE_PRODUCTION = (S.PENDING_SCHEDULE, S.PENDING_PURCHASE, S.SCHEDULED)
DATE_UNITS = ("days", "working_days")
TIME_UNITS = ("hours", "working_hours")
MAX_THRESHOLD = {"days": 3650, "working_days": 2500, "hours": 87600, "working_hours": 25000}


@dataclass(frozen=True)
class Context:
    """What every condition needs: the instant of the sweep, the local date, the calendar."""

    now: datetime
    today: date
    cal: Calendar


@dataclass(frozen=True)
class Hit:
    """One order that meets a rule's condition, with the fact to show in the message."""

    order_id: int
    order_no: str
    owner_id: int | None
    detail: str


@dataclass(frozen=True)
class Kind:
    """A condition kind: the units its threshold may use, its default statuses, its query."""

    code: str
    units: tuple[str, ...]
    statuses: tuple[Status, ...]
    query: Callable[[Session, AlertRule, Context, Kind], list[Hit]]


def check_threshold(kind: Kind, threshold, unit: str) -> None:
    """Raise RuleInvalid when the number or unit does not suit the kind."""
    if unit not in kind.units:
        raise RuleInvalid(texts.bad_unit(unit, kind.units), field="unit")
    if isinstance(threshold, bool) or not isinstance(threshold, int | float) or not math.isfinite(threshold):
        raise RuleInvalid(texts.bad_threshold(threshold), field="threshold")
    if threshold < 0 or threshold > MAX_THRESHOLD[unit]:
        raise RuleInvalid(texts.bad_threshold(threshold), field="threshold")


def statuses_of(rule: AlertRule, kind: Kind) -> list[str]:
    """The rule's statuses, or the kind's default; RuleInvalid on an unknown code."""
    codes = list(rule.statuses or []) or [s.value for s in kind.statuses]
    bad = [c for c in codes if c not in {s.value for s in Status}]
    if bad:
        raise RuleInvalid(texts.bad_statuses(bad), field="statuses")
    return codes


def date_cutoff(rule: AlertRule, ctx: Context) -> date:
    """The last date that counts as 'within N (working) days from today'."""
    n = rule.threshold
    if rule.unit == "working_days":
        return ctx.cal.add_working_days(ctx.today, math.ceil(n))
    return ctx.today + timedelta(days=n)


def time_cutoff(rule: AlertRule, ctx: Context) -> datetime:
    """The latest instant that is 'more than N (working) hours ago'."""
    if rule.unit == "working_hours":
        return ctx.cal.add_working_hours(ctx.now, -rule.threshold)
    return ctx.now - timedelta(hours=rule.threshold)


def _local(ctx: Context, dt: datetime) -> str:
    return dt.astimezone(ctx.cal.tz).strftime("%m-%d %H:%M")


def promise_within(s: Session, rule: AlertRule, ctx: Context, kind: Kind) -> list[Hit]:
    """Orders in the kind's statuses whose promised date is within the threshold."""
    rows = s.exec(select(Order.id, Order.order_no, Order.sales_owner_id, Order.promised_date).where(
        Order.status.in_(statuses_of(rule, kind)), Order.promised_date <= date_cutoff(rule, ctx))).all()
    return [Hit(i, no, owner, texts.detail_promise(p, (p - ctx.today).days)) for i, no, owner, p in rows]


def _in_status_since(s: Session, rule: AlertRule, ctx: Context, kind: Kind, *, qc_missing: bool) -> list[Hit]:
    entered = func.max(StatusEvent.at)
    stmt = (select(Order.id, Order.order_no, Order.sales_owner_id, Order.status, entered)
            .join(StatusEvent, and_(StatusEvent.order_id == Order.id, StatusEvent.to_status == Order.status,
                                    or_(StatusEvent.from_status.is_(None),
                                        StatusEvent.from_status != StatusEvent.to_status)))
            .where(Order.status.in_(statuses_of(rule, kind)))
            .group_by(Order.id, Order.order_no, Order.sales_owner_id, Order.status)
            .having(entered <= time_cutoff(rule, ctx)))
    if qc_missing:
        stmt = stmt.where(Order.qc_passed_at.is_(None))
    return [Hit(i, no, owner, texts.detail_in_status(Status(st).label, _local(ctx, at)))
            for i, no, owner, st, at in s.exec(stmt).all()]


def status_overdue(s: Session, rule: AlertRule, ctx: Context, kind: Kind) -> list[Hit]:
    """Orders still in their status (entered per the status events) since before the cutoff."""
    return _in_status_since(s, rule, ctx, kind, qc_missing=False)


def qc_overdue(s: Session, rule: AlertRule, ctx: Context, kind: Kind) -> list[Hit]:
    """Orders waiting in 待质检 with no QC result since before the cutoff."""
    return _in_status_since(s, rule, ctx, kind, qc_missing=True)


def pickup_overdue(s: Session, rule: AlertRule, ctx: Context, kind: Kind) -> list[Hit]:
    """Shipped orders (not self pickup) the carrier has not picked up since before the cutoff."""
    rows = s.exec(select(Order.id, Order.order_no, Order.sales_owner_id, Order.shipped_at, Order.carrier).where(
        Order.status.in_(statuses_of(rule, kind)), Order.shipped_at <= time_cutoff(rule, ctx),
        Order.picked_up_at.is_(None), or_(Order.carrier.is_(None), Order.carrier != SELF_PICKUP))).all()
    return [Hit(i, no, owner, texts.detail_pickup(carrier or "", _local(ctx, at)))
            for i, no, owner, at, carrier in rows]


def purchase_late(s: Session, rule: AlertRule, ctx: Context, kind: Kind) -> list[Hit]:
    """Orders with an open purchase line expected later than (planned start − threshold)."""
    latest = func.max(PurchaseLine.expected_on)
    stmt = (select(Order.id, Order.order_no, Order.sales_owner_id, Order.planned_start, latest)
            .join(PurchaseLine, PurchaseLine.order_id == Order.id)
            .where(Order.status.in_(statuses_of(rule, kind)), Order.planned_start.is_not(None),
                   PurchaseLine.arrived_on.is_(None), PurchaseLine.expected_on.is_not(None))
            .group_by(Order.id, Order.order_no, Order.sales_owner_id, Order.planned_start))
    out = []
    for i, no, owner, start, expected in s.exec(stmt).all():
        limit = (ctx.cal.add_working_days(start, -math.ceil(rule.threshold)) if rule.unit == "working_days"
                 else start - timedelta(days=rule.threshold))
        if expected > limit:
            out.append(Hit(i, no, owner, texts.detail_purchase(expected, start)))
    return out


KINDS: dict[str, Kind] = {k.code: k for k in (
    Kind("promise_unscheduled", DATE_UNITS, NOT_SCHEDULED, promise_within),
    Kind("promise_near", DATE_UNITS, NOT_SHIPPED, promise_within),
    Kind("qc_overdue", TIME_UNITS, (S.PENDING_QC,), qc_overdue),
    Kind("status_overdue", TIME_UNITS, (S.PENDING_REVIEW,), status_overdue),
    Kind("pickup_overdue", TIME_UNITS, (S.SHIPPED,), pickup_overdue),
    Kind("purchase_late", DATE_UNITS, BEFORE_PRODUCTION, purchase_late),
)}


def evaluate(s: Session, rule: AlertRule, ctx: Context) -> dict[int, Hit]:
    """The orders that should have an open alert of `rule` now, by order id."""
    kind = KINDS.get(rule.kind)
    if kind is None:
        raise RuleInvalid(texts.bad_kind(rule.kind), field="kind")
    check_threshold(kind, rule.threshold, rule.unit)
    return {h.order_id: h for h in kind.query(s, rule, ctx, kind)}
