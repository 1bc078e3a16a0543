"""Editing an order's terms (promised date, quantity, priority, internal note), traced like a move."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import select

from core.bus import UnitOfWork
from core.types import utcnow
from orders import events as ev
from orders import texts
from orders.actor import Actor, Trace
from orders.exceptions import IllegalTransition, InvalidInput, NotAllowed, VersionConflict
from orders.models import Staff, StatusEvent
from orders.roles import OVERRIDE_ROLES, Role
from orders.service import check_date_window, find_order
from orders.status import TERMINAL_STATUSES, Status

EDIT_ROLES = frozenset({Role.SALES, Role.PLANNER}) | OVERRIDE_ROLES
FIELD_LABELS = texts.EDIT_FIELD_LABELS
PRIORITIES = ("normal", "high", "urgent")
# Quantity drives materials and task cards: it may change only before production is planned.
QUANTITY_OPEN = frozenset({Status.PENDING_REVIEW, Status.PENDING_SCHEDULE, Status.PENDING_PURCHASE})


def may_choose_owner(session, actor: Actor) -> bool:
    """Managers and admins, and sales heads (sales staff others report to), may pick an order's salesperson."""
    if set(actor.roles) & OVERRIDE_ROLES:
        return True
    if Role.SALES not in actor.roles or actor.staff_id is None:
        return False
    return session.exec(select(Staff.id).where(Staff.manager_id == actor.staff_id, Staff.active == True)  # noqa: E712
                        .limit(1)).first() is not None


def check_owner(session, actor: Actor, staff_id) -> int:
    """The id of an active staff member `actor` may make an order's salesperson, or the Chinese refusal."""
    try:
        staff_id = int(staff_id)
    except (TypeError, ValueError):
        raise InvalidInput(texts.SALES_OWNER_NOT_FOUND, field="sales_owner_id") from None
    if not may_choose_owner(session, actor):
        raise NotAllowed(texts.SALES_OWNER_NOT_ALLOWED)
    staff = session.get(Staff, staff_id)
    if staff is None or not staff.active:
        raise InvalidInput(texts.SALES_OWNER_NOT_FOUND, field="sales_owner_id")
    return staff_id


def _clean(field: str, value):
    """The value in its stored type, or InvalidInput with the Chinese reason."""
    if field == "promised_date":
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value).strip())
        except ValueError:
            raise InvalidInput(texts.bad_promised_date(value), field=field) from None
    if field == "quantity":
        try:
            qty = int(str(value).strip())
        except ValueError:
            raise InvalidInput(texts.QUANTITY_NOT_POSITIVE, field=field) from None
        if not 0 < qty <= 10_000_000:
            raise InvalidInput(texts.QUANTITY_NOT_POSITIVE, field=field)
        return qty
    if field == "priority":
        if value not in PRIORITIES:
            raise InvalidInput(texts.BAD_PRIORITY, field=field)
        return value
    return str(value or "")[:1000]


def edit_order(uow: UnitOfWork, ref: str, *, actor: Actor, changes: dict, expected_version: int | None = None,
               trace: Trace | None = None, now: datetime | None = None):
    """Change the order's terms; one version bump and one traced event listing old → new."""
    order = find_order(uow, ref)
    if not (set(actor.roles) & EDIT_ROLES):
        raise NotAllowed(texts.edit_not_allowed(order.order_no))
    if Status(order.status) in TERMINAL_STATUSES:
        raise IllegalTransition(texts.edit_closed(order.order_no, Status(order.status).label),
                                current_status=order.status)
    if expected_version is not None and expected_version != order.version:
        raise VersionConflict(texts.version_conflict(order.order_no, order.version),
                              current_version=order.version)
    diffs = {}
    for field, raw in changes.items():
        if field not in FIELD_LABELS or raw is None:
            continue
        if field == "sales_owner_id":
            value = check_owner(uow.session, actor, raw)
        else:
            value = _clean(field, raw)
        if field == "promised_date":
            check_date_window(value, today=(now or utcnow()).date(), label=FIELD_LABELS[field], field=field)
        if field == "quantity" and value != order.quantity and Status(order.status) not in QUANTITY_OPEN:
            raise IllegalTransition(texts.quantity_locked(order.order_no, Status(order.status).label),
                                    current_status=order.status)
        if getattr(order, field) != value:
            diffs[field] = (getattr(order, field), value)
            setattr(order, field, value)
    if not diffs:
        raise InvalidInput(texts.NOTHING_TO_CHANGE)
    now = now or utcnow()
    order.updated_at, order.updated_by = now, actor.name
    order.version += 1
    trace = trace or Trace()
    shown = {f: (_show(a, f, uow.session), _show(b, f, uow.session)) for f, (a, b) in diffs.items()}
    note = texts.edit_note((f, a, b) for f, (a, b) in shown.items())
    se = StatusEvent(order_id=order.id, from_status=order.status, to_status=order.status, command="edit",
                     at=now, actor=actor.name, actor_staff_id=actor.staff_id, source=actor.source,
                     inbound_message_id=trace.inbound_message_id, note=note,
                     data={f: [a, b] for f, (a, b) in shown.items()})
    uow.session.add(se)
    try:
        uow.session.flush()
    except StaleDataError:
        uow.session.rollback()
        raise VersionConflict(texts.changed_meanwhile(order.order_no)) from None
    uow.record(ev.OrderEdited(order.id, order.order_no, actor.name, actor.source, now, changes=se.data,
                              actor_staff_id=actor.staff_id))
    return order


def _show(value, field: str = "", session=None) -> str:
    if field == "sales_owner_id":  # people by name, never by id
        staff = session.get(Staff, value) if value is not None else None
        return staff.name if staff else "（无）"
    return value.isoformat() if isinstance(value, date) else str(value)
