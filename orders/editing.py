"""Editing an order's terms (promised date, quantity, priority, internal note), traced like a move."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm.exc import StaleDataError

from core.bus import UnitOfWork
from core.types import utcnow
from orders import events as ev
from orders.actor import Actor, Trace
from orders.exceptions import IllegalTransition, InvalidInput, NotAllowed, VersionConflict
from orders.models import StatusEvent
from orders.roles import OVERRIDE_ROLES, Role
from orders.status import TERMINAL_STATUSES, Status

EDIT_ROLES = frozenset({Role.SALES, Role.PLANNER}) | OVERRIDE_ROLES
FIELD_LABELS = {"promised_date": "交期", "quantity": "数量", "priority": "优先级", "internal_note": "内部备注"}
PRIORITIES = ("normal", "high", "urgent")
# Quantity drives materials and task cards: it may change only before production is planned.
QUANTITY_OPEN = frozenset({Status.PENDING_REVIEW, Status.PENDING_SCHEDULE, Status.PENDING_PURCHASE})


def _clean(field: str, value):
    """The value in its stored type, or InvalidInput with the Chinese reason."""
    if field == "promised_date":
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value).strip())
        except ValueError:
            raise InvalidInput(f"交期格式不对：{value}，请写成 2026-12-10。", field=field) from None
    if field == "quantity":
        try:
            qty = int(str(value).strip())
        except ValueError:
            raise InvalidInput("数量必须是正整数。", field=field) from None
        if not 0 < qty <= 10_000_000:
            raise InvalidInput("数量必须是正整数。", field=field)
        return qty
    if field == "priority":
        if value not in PRIORITIES:
            raise InvalidInput("优先级只能是 normal / high / urgent。", field=field)
        return value
    return str(value or "")[:1000]


def edit_order(uow: UnitOfWork, ref: str, *, actor: Actor, changes: dict, expected_version: int | None = None,
               trace: Trace | None = None, now: datetime | None = None):
    """Change the order's terms; one version bump and one traced event listing old → new."""
    from orders.service import find_order

    order = find_order(uow, ref)
    if not (set(actor.roles) & EDIT_ROLES):
        raise NotAllowed(f"您没有权限修改订单 {order.order_no}，请联系销售、计划或经理。")
    if Status(order.status) in TERMINAL_STATUSES:
        raise IllegalTransition(f"订单 {order.order_no} 已{Status(order.status).label[1:]}，不能再修改。",
                                current_status=order.status)
    if expected_version is not None and expected_version != order.version:
        raise VersionConflict(f"订单 {order.order_no} 已被修改（当前版本 {order.version}），请刷新后重试。",
                              current_version=order.version)
    diffs = {}
    for field, raw in changes.items():
        if field not in FIELD_LABELS or raw is None:
            continue
        value = _clean(field, raw)
        if field == "quantity" and value != order.quantity and Status(order.status) not in QUANTITY_OPEN:
            raise IllegalTransition(f"订单 {order.order_no} 已「{Status(order.status).label}」，数量不能再改。",
                                    current_status=order.status)
        if getattr(order, field) != value:
            diffs[field] = (getattr(order, field), value)
            setattr(order, field, value)
    if not diffs:
        raise InvalidInput("没有需要修改的内容。")
    now = now or utcnow()
    order.updated_at, order.updated_by = now, actor.name
    order.version += 1
    trace = trace or Trace()
    note = "；".join(f"{FIELD_LABELS[f]} {_show(a)} → {_show(b)}" for f, (a, b) in diffs.items())
    se = StatusEvent(order_id=order.id, from_status=order.status, to_status=order.status, command="edit",
                     at=now, actor=actor.name, actor_staff_id=actor.staff_id, source=actor.source,
                     inbound_message_id=trace.inbound_message_id, note=note,
                     data={f: [_show(a), _show(b)] for f, (a, b) in diffs.items()})
    uow.session.add(se)
    try:
        uow.session.flush()
    except StaleDataError:
        uow.session.rollback()
        raise VersionConflict(f"订单 {order.order_no} 刚被其他人修改，请刷新后重试。") from None
    uow.record(ev.OrderEdited(order.id, order.order_no, actor.name, actor.source, now, changes=se.data,
                              actor_staff_id=actor.staff_id))
    return order


def _show(value) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)
