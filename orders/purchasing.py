"""Receiving goods against a purchase line: stock goes up, the line closes when complete, and 待采购
orders whose materials are now in stock move on to 待排产 (the usual materials_ready move and notice).

Release rule: stock on hand is given to the waiting orders by promised date (then age); an order is
released when every material of its BOM is covered by what is left of the stock after the orders
released before it in the same pass. Open purchase lines do not count here: goods still to come do
not make an order ready to plan.
"""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import select

from core.bus import UnitOfWork
from core.types import utcnow
from orders import events as ev
from orders import texts
from orders.actor import Actor, Trace
from orders.exceptions import InvalidInput, NotAllowed, OrderNotFound
from orders.flow import TRANSITIONS
from orders.materials import needs
from orders.models import BomLine, Material, Order, PurchaseLine
from orders.roles import OVERRIDE_ROLES
from orders.service import change_status
from orders.status import Status

log = logging.getLogger(__name__)
RECEIVE_ROLES = frozenset(r for t in TRANSITIONS if t.command == "materials_ready" for r in t.roles) | OVERRIDE_ROLES
EPS = 1e-9


def find_open_line(uow: UnitOfWork, po_no: str, material: str) -> PurchaseLine:
    """The one not fully received line of purchase order `po_no` for material code (or name) `material`."""
    po_no, material = (po_no or "").strip(), (material or "").strip()
    rows = uow.session.exec(select(PurchaseLine).join(Material, Material.id == PurchaseLine.material_id).where(
        PurchaseLine.po_no == po_no, PurchaseLine.arrived_on.is_(None),
        (Material.code == material) | (Material.name == material)).order_by(PurchaseLine.id)).all()
    if not rows:
        raise OrderNotFound(texts.purchase_line_not_found(po_no, material))
    if len(rows) > 1:
        raise InvalidInput(texts.purchase_line_ambiguous(po_no, material), field="material")
    return rows[0]


def receive_purchase_line(uow: UnitOfWork, line_id: int, *, quantity, batch: str = "", actor: Actor,
                          tz: ZoneInfo, trace: Trace | None = None,
                          now: datetime | None = None) -> tuple[PurchaseLine, list[str]]:
    """Book `quantity` arrived on line `line_id`; the line and the order numbers released to 待排产."""
    if not set(actor.roles) & RECEIVE_ROLES:
        raise NotAllowed(texts.RECEIVE_NOT_ALLOWED)
    qty = _quantity(quantity)
    batch = (batch or "").strip()
    if len(batch) > 60:
        raise InvalidInput(texts.RECEIVE_BATCH_TOO_LONG, field="batch")
    s = uow.session
    line = s.get(PurchaseLine, line_id)
    if line is None:
        raise OrderNotFound(texts.PURCHASE_LINE_NOT_FOUND)
    material = s.get(Material, line.material_id)
    now = now or utcnow()
    trace = trace or Trace()
    line.arrived_quantity = round((line.arrived_quantity or 0) + qty, 3)
    if batch:
        line.batch_no = batch
    if line.arrived_quantity + EPS >= line.quantity:
        line.arrived_on = now.astimezone(tz).date()
    material.stock_on_hand = round((material.stock_on_hand or 0) + qty, 3)
    s.add_all([line, material])
    s.flush()
    released = release_covered(uow, material.id, actor=actor, trace=trace, now=now, receipt={
        "po_no": line.po_no, "material": material.code, "quantity": qty, "batch": batch})
    uow.record(ev.PurchaseReceived(line.id, line.po_no, material.code, qty, line.batch_no, actor.name,
                                   actor.source, now, device_id=trace.device_id, released=tuple(released)))
    log.info("purchase line %s received %s %s (batch %s); released %s", line.id, qty, material.code, batch, released)
    return line, released


def release_covered(uow: UnitOfWork, material_id: int, *, actor: Actor, trace: Trace, now: datetime,
                    receipt: dict) -> list[str]:
    """Move 待采购 orders using `material_id` whose BOM is now covered by stock to 待排产; their numbers."""
    s = uow.session
    waiting = s.exec(select(Order).join(BomLine, BomLine.product_id == Order.product_id).where(
        Order.status == Status.PENDING_PURCHASE.value, BomLine.material_id == material_id).distinct()
        .order_by(Order.promised_date, Order.id)).all()
    left: dict[int, float] = {}
    released = []
    for order in waiting:
        need = needs(s, order)
        for mid in need:
            if mid not in left:
                left[mid] = float(s.get(Material, mid).stock_on_hand or 0)
        if all(left[mid] + EPS >= q for mid, q in need.items()):
            for mid, q in need.items():
                left[mid] -= q
            note = Trace(trace.device_id, trace.temperature, trace.humidity, trace.inbound_message_id,
                         texts.MATERIALS_RELEASED_NOTE)
            change_status(uow, order.order_no, actor=actor, command="materials_ready", fields={"receipt": receipt},
                          trace=note, now=now)
            released.append(order.order_no)
    return released


def _quantity(raw) -> float:
    try:
        qty = float(raw)
    except (TypeError, ValueError):
        raise InvalidInput(texts.RECEIVE_QTY_BAD, field="quantity") from None
    if not 0 < qty <= 1e9 or qty != qty:
        raise InvalidInput(texts.RECEIVE_QTY_BAD, field="quantity")
    return qty
