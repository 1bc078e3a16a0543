"""Correcting a shipped order's carrier or tracking number: traced as an edit event, notice reissued."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import select

from core.bus import UnitOfWork
from core.types import utcnow
from logistics import texts
from logistics.jobs import SHIPPED_OR_LATER, resend_notice
from logistics.models import Waybill
from logistics.subscribe import subscribe_waybill
from logistics.waybill_format import check_waybill
from orders import events as ev
from orders.actor import Actor
from orders.exceptions import IllegalTransition, InvalidInput, NotAllowed, VersionConflict
from orders.models import StatusEvent
from orders.roles import OVERRIDE_ROLES, Role
from orders.service import find_order

CORRECT_ROLES = frozenset({Role.LOGISTICS, Role.WAREHOUSE, Role.SALES}) | OVERRIDE_ROLES


def correct_waybill(uow: UnitOfWork, ref: str, *, actor: Actor, carrier: str, tracking_no: str,
                    override: bool = False, expected_version: int | None = None, now: datetime | None = None):
    """Change carrier and/or tracking number of a shipped order; one edit event; the notice goes out again."""
    order = find_order(uow, ref)
    if not set(actor.roles) & CORRECT_ROLES:
        raise NotAllowed(texts.CORRECT_NOT_ALLOWED.format(order_no=order.order_no))
    if order.status not in SHIPPED_OR_LATER:
        raise IllegalTransition(texts.CORRECT_NOT_SHIPPED.format(order_no=order.order_no), current_status=order.status)
    if expected_version is not None and expected_version != order.version:
        raise VersionConflict(texts.CORRECT_NOTHING, current_version=order.version)
    try:
        carrier, number = check_waybill(carrier, tracking_no, override=override)
    except ValueError as exc:
        raise InvalidInput(str(exc), field="tracking_no") from None
    diffs = {f: [getattr(order, f) or "", v or ""] for f, v in (("carrier", carrier), ("tracking_no", number))
             if (getattr(order, f) or "") != (v or "")}
    if not diffs:
        raise InvalidInput(texts.CORRECT_NOTHING)
    now = now or utcnow()
    order.carrier, order.tracking_no = carrier, number
    order.updated_at, order.updated_by = now, actor.name
    order.version += 1
    note = "；".join(f"{texts.CORRECT_LABELS[f]} {a or '—'} → {b or '—'}" for f, (a, b) in diffs.items())
    uow.session.add(StatusEvent(order_id=order.id, from_status=order.status, to_status=order.status, command="edit",
                                at=now, actor=actor.name, actor_staff_id=actor.staff_id, source=actor.source,
                                note=note, data=diffs))
    waybill = uow.session.exec(select(Waybill).where(Waybill.order_id == order.id)).first()
    if waybill is not None:  # the carrier's old monitor state belongs to the old number
        uow.session.delete(waybill)
    try:
        uow.session.flush()
    except StaleDataError:
        uow.session.rollback()
        raise VersionConflict(texts.CORRECT_NOTHING) from None
    uow.record(ev.OrderEdited(order.id, order.order_no, actor.name, actor.source, now, changes=diffs,
                              actor_staff_id=actor.staff_id))
    rt = uow.runtime
    resend_notice(uow, rt, order, reissue=True)
    if number and rt.settings.logistics.kuaidi100_key and rt.settings.logistics.kuaidi100_salt:
        order_id = order.id
        uow.after_commit(lambda: rt.enqueue(subscribe_waybill, order_id))
    return order, note
