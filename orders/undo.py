"""Undo: the sender's own last change on an order, within UNDO_MINUTES, and only the latest change.

A status move is reversed only where the transition table has the way back (e.g. 已排产 → 待排产);
an edit or a waybill change is reversed by a traced correction restoring the old values. Anything
else is refused with the reason, never forced.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import select

from core.bus import UnitOfWork
from core.types import utcnow
from orders import texts
from orders.actor import Actor, Trace
from orders.editing import edit_order
from orders.exceptions import IllegalTransition, InvalidInput, NotAllowed
from orders.flow import COMMAND_LABELS, moves_from
from orders.models import StatusEvent
from orders.service import change_status, find_order
from orders.status import Status
from orders.waybill import set_waybill

UNDO_MINUTES = 10


def _label(se: StatusEvent) -> str:
    return COMMAND_LABELS.get(se.command) or se.note or se.command


def undo_last(uow: UnitOfWork, ref: str, *, actor: Actor, trace: Trace | None = None,
              now: datetime | None = None) -> tuple[object, str]:
    """Reverse the actor's latest change on the order; returns (order, what was undone)."""
    order = find_order(uow, ref)
    now = now or utcnow()
    last = uow.session.exec(select(StatusEvent).where(StatusEvent.order_id == order.id)
                            .order_by(StatusEvent.id.desc())).first()
    fmt = {"order_no": order.order_no, "minutes": UNDO_MINUTES}
    if last is None or last.command in ("create", "undo"):
        raise InvalidInput(texts.NOTHING_TO_UNDO.format(**fmt))
    mine = last.actor_staff_id == actor.staff_id if actor.staff_id is not None else last.actor == actor.name
    if not mine:
        raise NotAllowed(texts.UNDO_SOMEONE_ELSE.format(actor=last.actor or "别人", **fmt))
    if now - last.at > timedelta(minutes=UNDO_MINUTES):
        raise IllegalTransition(texts.UNDO_TOO_LATE.format(**fmt), current_status=order.status)
    what = _label(last)
    trace = trace or Trace()
    trace = Trace(inbound_message_id=trace.inbound_message_id, note=texts.UNDO_NOTE.format(what=what))
    data = last.data or {}
    if last.command == "edit":
        edit_order(uow, order.order_no, actor=actor, trace=trace, now=now,
                   changes={f: old for f, (old, _) in data.items()})
        return order, what
    if last.command in ("waybill", "correct"):
        old = {f: v[0] for f, v in data.items()}
        set_waybill(uow, order.order_no, actor=actor, trace=trace, now=now, command="undo",
                    carrier=old.get("carrier", order.carrier) or "", tracking_no=old.get("tracking_no", order.tracking_no))
        return order, what
    back = Status(last.from_status) if last.from_status and last.from_status != last.to_status else None
    way = [t for t in moves_from(Status(order.status)) if back is not None and t.to == back]
    if back is None or not way:
        raise IllegalTransition(texts.UNDO_NOT_REVERSIBLE.format(
            what=what, current=Status(order.status).label, back=back.label if back else "-", **fmt),
            current_status=order.status)
    change_status(uow, order.order_no, actor=actor, to=back, command=way[0].command, trace=trace, now=now,
                  fields={"reason": texts.UNDO_NOTE.format(what=what)})
    return order, what
