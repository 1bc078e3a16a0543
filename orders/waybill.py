"""Filling in or correcting a shipped order's carrier and waybill number, traced old → new.

A chat `ship` may come before the waybill is known; the carrier and number then follow in a later
message. The change is versioned like a move and raises WaybillChanged, on which logistics sends
(or reissues) the customer's shipping notice.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm.exc import StaleDataError

from core.bus import UnitOfWork
from core.types import utcnow
from orders import events as ev
from orders import texts
from orders.actor import Actor, Trace
from orders.exceptions import IllegalTransition, InvalidInput, NotAllowed, VersionConflict
from orders.flow import NO_WAYBILL, find_transition
from orders.models import StatusEvent
from orders.roles import OVERRIDE_ROLES, ROLE_LABELS, Role
from orders.service import find_order
from orders.status import Status

SHIPPED_STATES = frozenset({Status.SHIPPED, Status.IN_TRANSIT, Status.DELIVERED})
MAX_TRACKING = 40


def waybill_roles() -> frozenset[Role]:
    """Whoever may ship may fill in the waybill."""
    return find_transition("", Status.IN_STOCK, command="ship").roles


def set_waybill(uow: UnitOfWork, ref: str, *, actor: Actor, carrier: str | None = None,
                tracking_no: str | None = None, trace: Trace | None = None, expected_version: int | None = None,
                now: datetime | None = None, command: str = "waybill"):
    """Set carrier and/or waybill number of a shipped order; one version bump, one traced event."""
    order = find_order(uow, ref)
    roles = waybill_roles()
    if not set(actor.roles) & (roles | OVERRIDE_ROLES):
        raise NotAllowed(texts.waybill_not_allowed(order.order_no,
                                                   [ROLE_LABELS[r] for r in sorted(roles) if r != Role.SYSTEM]))
    if Status(order.status) not in SHIPPED_STATES:
        raise IllegalTransition(texts.waybill_not_shipped(order.order_no, Status(order.status).label),
                                current_status=order.status)
    if expected_version is not None and expected_version != order.version:
        raise VersionConflict(texts.version_conflict(order.order_no, order.version), current_version=order.version)
    wanted = {"carrier": (carrier or "").strip() or None, "tracking_no": (tracking_no or "").strip().upper() or None}
    if wanted["tracking_no"] and len(wanted["tracking_no"]) > MAX_TRACKING:
        raise InvalidInput(texts.WAYBILL_TOO_LONG, field="tracking_no")
    if wanted["carrier"] in NO_WAYBILL:
        wanted["tracking_no"] = None
    elif wanted["carrier"] is None:
        del wanted["carrier"]
        if wanted["tracking_no"] is None:
            raise InvalidInput(texts.NOTHING_TO_CHANGE)
    diffs = {f: (getattr(order, f), v) for f, v in wanted.items() if getattr(order, f) != v}
    if not diffs:
        raise InvalidInput(texts.NOTHING_TO_CHANGE)
    now = now or utcnow()
    for f, (_, new) in diffs.items():
        setattr(order, f, new)
    order.updated_at, order.updated_by = now, actor.name
    order.version += 1
    trace = trace or Trace()
    data = {f: [a, b] for f, (a, b) in diffs.items()}
    se = StatusEvent(order_id=order.id, from_status=order.status, to_status=order.status, command=command, at=now,
                     actor=actor.name, actor_staff_id=actor.staff_id, source=actor.source,
                     inbound_message_id=trace.inbound_message_id,
                     note=texts.waybill_note((f, a, b) for f, (a, b) in diffs.items()), data=data)
    uow.session.add(se)
    try:
        uow.session.flush()
    except StaleDataError:
        uow.session.rollback()
        raise VersionConflict(texts.changed_meanwhile(order.order_no)) from None
    uow.record(ev.WaybillChanged(order.id, order.order_no, actor.name, actor.source, now, changes=data,
                                 status_event_id=se.id, actor_staff_id=actor.staff_id))
    return order


def waybill_known(order) -> bool:
    """True when the customer can be told how the goods travel (a waybill, or pickup/own delivery)."""
    return bool(order.tracking_no) or order.carrier in NO_WAYBILL
