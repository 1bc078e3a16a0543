"""Use cases of logistics: apply a carrier push, add a trace by hand, override the ETA."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session, select

from core.bus import UnitOfWork
from core.runtime import Runtime
from core.types import utcnow
from logistics import texts
from logistics.kuaidi100 import DELIVER, EXCEPTION, PICKUP, Push
from logistics.models import TraceLine, Waybill
from notify.outbox import queue_notification
from orders import service as order_service
from orders.actor import Actor, Trace
from orders.exceptions import OrderError
from orders.models import Customer, Order, Staff
from orders.roles import Role
from orders.status import Status

log = logging.getLogger(__name__)

CARRIER_ACTOR = Actor(name="快递100", source="api", roles=frozenset({Role.SYSTEM}))
TRACKED = (Status.SHIPPED, Status.IN_TRANSIT, Status.DELIVERED, Status.COMPLETED)
COMMAND_OF_ACTION = {PICKUP: "pickup", DELIVER: "deliver"}


@dataclass
class PushResult:
    """What one push changed (for logs and tests)."""

    orders: list[str] = field(default_factory=list)
    lines_added: int = 0
    moved: list[str] = field(default_factory=list)
    alerts: int = 0


def line_key(tracking_no: str, ftime: str, context: str) -> str:
    return hashlib.sha1(f"{tracking_no}|{ftime}|{context}".encode()).hexdigest()


def parse_local(text: str, rt: Runtime) -> datetime:
    """Carrier time 'YYYY-MM-DD HH:MM:SS' in business time zone -> aware UTC; now when unreadable."""
    try:
        return datetime.fromisoformat(text.strip()).replace(tzinfo=rt.settings.tz)
    except (ValueError, AttributeError):
        return utcnow()


def add_line(s: Session, order_id: int, key: str, **values) -> bool:
    """Store a trace line unless the same line is already stored; True when added."""
    if s.exec(select(TraceLine.id).where(TraceLine.order_id == order_id, TraceLine.line_key == key)).first():
        return False
    s.add(TraceLine(order_id=order_id, line_key=key, **values))
    s.flush()
    return True


def apply_push(uow: UnitOfWork, rt: Runtime, push: Push) -> PushResult:
    """Store the trace, move orders (pickup, deliver), alert on refusals and aborts."""
    s, result = uow.session, PushResult()
    orders = s.exec(select(Order).where(Order.tracking_no == push.tracking_no,
                                        Order.status.in_([x.value for x in TRACKED]))).all()
    for order in orders:
        result.orders.append(order.order_no)
        for item in push.lines:
            result.lines_added += add_line(
                s, order.id, line_key(push.tracking_no, item.ftime, item.context), at=parse_local(item.ftime, rt),
                context=item.context, area=item.area, status=item.status, source="kuaidi100")
        _update_waybill(s, order, push)
        _move(uow, order, push, result)
        result.alerts += _alert(uow, rt, order, push)
    if not orders:
        log.info("kuaidi100 push for unknown waybill %s ignored", push.tracking_no)
    return result


def _update_waybill(s: Session, order: Order, push: Push) -> None:
    wb = s.exec(select(Waybill).where(Waybill.order_id == order.id)).first() or Waybill(
        order_id=order.id, tracking_no=push.tracking_no)
    wb.carrier_code = push.com_new or push.carrier_code or wb.carrier_code
    wb.state = push.state or wb.state
    wb.monitor_status, wb.monitor_message = push.status, push.message
    if push.lines and push.lines[0].area:
        wb.current_area = push.lines[0].area
    wb.updated_at = utcnow()
    s.add(wb)


def _move(uow: UnitOfWork, order: Order, push: Push, result: PushResult) -> None:
    command = COMMAND_OF_ACTION.get(push.action or "")
    # An abort ("3天查询无记录") or a trace without lines is no evidence the carrier has the parcel.
    if command is None or push.status == "abort" or (command == "pickup" and not push.lines):
        return
    if command == "pickup" and order.status != Status.SHIPPED:
        return
    if command == "deliver" and order.status not in (Status.SHIPPED, Status.IN_TRANSIT):
        return
    note = f"快递100推送：{push.lines[0].context}" if push.lines else "快递100推送"
    try:
        order_service.change_status(uow, order.order_no, actor=CARRIER_ACTOR, command=command,
                                    trace=Trace(note=note[:200]))
        result.moved.append(f"{order.order_no}:{command}")
    except OrderError as exc:  # raced with a person: their move wins
        log.info("kuaidi100 %s on %s skipped: %s", command, order.order_no, exc.message)


def _alert(uow: UnitOfWork, rt: Runtime, order: Order, push: Push) -> int:
    """A logistics_exception notification to the salesperson for refusals, returns and aborts."""
    s = uow.session
    if push.action == EXCEPTION:
        label = texts.STATE_LABELS.get(str(push.main_state), push.state)
        customer = s.get(Customer, order.customer_id)
        body = texts.exception_text(order.order_no, customer.name if customer else "", order.carrier,
                                push.tracking_no, label, push.lines[0].context if push.lines else "")
        key = f"logistics:{order.id}:{push.tracking_no}:state{push.main_state}"
    elif push.status == "abort" and not push.com_new:
        body = texts.abort_text(order.order_no, push.tracking_no, push.message, None)
        key = f"logistics:{order.id}:{push.tracking_no}:abort"
    else:
        return 0
    sales = s.get(Staff, order.sales_owner_id) if order.sales_owner_id else None
    if sales is None or not sales.userid:
        log.warning("logistics alert for %s has no salesperson: %s", order.order_no, body)
        return 0
    n = queue_notification(uow, kind="logistics_exception", channel="wecom_app", recipient=sales.userid,
                           recipient_name=sales.name, body=body, payload={"msgtype": "text"},
                           dedupe_key=key, order_id=order.id)
    return 1 if n else 0


def add_manual_trace(uow: UnitOfWork, rt: Runtime, order: Order, *, context: str, actor: Actor,
                     at: datetime | None = None, area: str = "", status: str = "") -> bool:
    """Staff type in a trace line (carriers without Kuaidi100, phone updates)."""
    at = at or utcnow()
    key = line_key(order.tracking_no or "", at.isoformat(), context)
    return add_line(uow.session, order.id, key, at=at, context=context, area=area, status=status,
                    source="manual", created_by=actor.name)


def set_eta(uow: UnitOfWork, order: Order, eta: date, *, actor: Actor) -> Order:
    """Override the expected arrival date."""
    order.eta = eta
    order.updated_at = utcnow()
    order.updated_by = actor.name
    order.version += 1
    uow.session.add(order)
    uow.session.flush()
    return order


def traces_of(s: Session, order_id: int, limit: int = 50) -> list[TraceLine]:
    """Trace lines newest first."""
    return list(s.exec(select(TraceLine).where(TraceLine.order_id == order_id)
                       .order_by(TraceLine.at.desc(), TraceLine.id.desc()).limit(limit)).all())
