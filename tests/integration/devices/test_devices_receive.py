"""A scanner's `receive` over the real Mosquitto: goods booked on the purchase line, stock raised, the
waiting order released to 待排产 with the scanner's trace; an unknown purchase order is kept aside."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlmodel import select

from orders.models import Material, PurchaseLine
from orders.service import change_status
from orders.status import Status
from tests.factories import admin_actor, order_in
from tests.integration.devices.conftest import wait_for
from tests.unit.devices.devices_builders import devices_world, last_event, letters_of

pytestmark = pytest.mark.mqtt


def _receive_payload(po_no: str, material: str, quantity, batch: str = "") -> str:
    return json.dumps({"event_id": uuid.uuid4().hex, "action": "receive", "operator": "t.warehouse",
                       "po_no": po_no, "material": material, "quantity": quantity, "batch": batch},
                      ensure_ascii=False)


def test_a_receive_scan_releases_the_waiting_order(hub, publisher):
    rt = hub.extensions["ops"]
    world = devices_world(rt)
    scanner = world["scanner"].device_id
    po_no = f"PO-{uuid.uuid4().hex[:6]}"
    with rt.uow() as uow:
        steel = uow.session.get(Material, world["materials"]["steel"].id)
        steel.stock_on_hand = 0
        order = order_in(uow, Status.PENDING_REVIEW)  # 100 pieces need 20 kg of RM-6061
        change_status(uow, order.order_no, actor=admin_actor(), command="approve")
        uow.session.add(PurchaseLine(po_no=po_no, material_id=steel.id, quantity=20, supplier="宁波铝业"))
        uow.commit()
        no, status = order.order_no, order.status
    assert status == "pending_purchase"

    publisher.publish(f"ops/scan/{scanner}", _receive_payload(po_no, "RM-6061", 20, "B-77"))

    def released():
        ev = last_event(rt, no)
        return ev if ev is not None and ev.to_status == "pending_schedule" else None

    ev = wait_for(released, "the order to be released to 待排产")
    assert (ev.command, ev.source, ev.device_id, ev.actor_staff_id) == (
        "materials_ready", "scan", scanner, world["people"]["warehouse"].id)
    with rt.uow() as uow:
        line = uow.session.exec(select(PurchaseLine).where(PurchaseLine.po_no == po_no)).one()
        assert (line.arrived_quantity, line.batch_no, line.arrived_on is not None) == (20, "B-77", True)
        assert uow.session.get(Material, world["materials"]["steel"].id).stock_on_hand == 20


def test_a_receive_scan_for_an_unknown_purchase_order_is_a_dead_letter(hub, publisher):
    rt = hub.extensions["ops"]
    world = devices_world(rt)
    scanner = world["scanner"].device_id
    publisher.publish(f"ops/scan/{scanner}", _receive_payload("PO-NOPE", "RM-6061", 5))
    letters = wait_for(lambda: letters_of(rt, scanner), "a dead letter")
    assert "没有找到采购单 PO-NOPE" in letters[0].reason
