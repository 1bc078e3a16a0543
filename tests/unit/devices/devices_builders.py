"""Builders for the device tests: a small factory with a scanner and a sensor in one zone."""

from __future__ import annotations

import json
import uuid
from datetime import datetime

from sqlmodel import select

from devices.models import DeadLetter
from devices.registry import register_device
from orders import service
from orders.models import Order, StatusEvent
from orders.status import Status
from tests.factories import admin_actor, basic_factory, order_in

ZONE = "成品仓A区"


def devices_world(rt, *, zone: str = ZONE) -> dict:
    """People, a customer and product (tests.factories), plus a scanner and a sensor with unique ids."""
    tag = uuid.uuid4().hex[:8]
    with rt.uow() as uow:
        world = basic_factory(uow)
        keeper = world["people"]["warehouse"]
        world["scanner"] = register_device(uow.session, f"t-scan-{tag}", kind="scanner", zone=zone, owner=keeper)
        world["sensor"] = register_device(uow.session, f"t-env-{tag}", kind="sensor", zone=zone, owner=keeper)
        uow.commit()
    return world


def order_at(rt, status: Status, *, qc_passed: bool = False) -> str:
    """A new order walked to `status`; its number."""
    with rt.uow() as uow:
        order = order_in(uow, status)
        if qc_passed:
            service.record_qc_pass(uow, order.order_no, actor=admin_actor())
        uow.commit()
        return order.order_no


def scan_payload(order_no: str, action: str, operator: str = "t.warehouse", **extra) -> str:
    body = {"event_id": uuid.uuid4().hex, "order_no": order_no, "action": action, "operator": operator}
    body.update(extra)
    return json.dumps(body, ensure_ascii=False)


def reading_payload(temperature: float, humidity: float, ts: datetime | None = None) -> str:
    body = {"temperature": temperature, "humidity": humidity}
    if ts is not None:
        body["ts"] = ts.isoformat()
    return json.dumps(body)


def last_event(rt, order_no: str) -> StatusEvent | None:
    """The newest status event of an order."""
    with rt.uow() as uow:
        order = uow.session.exec(select(Order).where(Order.order_no == order_no)).one()
        event = uow.session.exec(select(StatusEvent).where(StatusEvent.order_id == order.id)
                                 .order_by(StatusEvent.id.desc())).first()
        uow.session.expunge_all()  # keep it readable after the session closes
        return event


def status_of(rt, order_no: str) -> str:
    with rt.uow() as uow:
        return uow.session.exec(select(Order.status).where(Order.order_no == order_no)).one()


def letters_of(rt, device_id: str | None = None, topic: str | None = None) -> list[DeadLetter]:
    """Dead letters of one device or topic (the broker is shared: never count everybody's)."""
    with rt.uow() as uow:
        stmt = select(DeadLetter).order_by(DeadLetter.id)
        if device_id:
            stmt = stmt.where(DeadLetter.device_id == device_id)
        if topic:
            stmt = stmt.where(DeadLetter.topic == topic)
        rows = list(uow.session.exec(stmt).all())
        uow.session.expunge_all()
        return rows
