"""Scanners and sensors over the real Mosquitto: scans change orders once, bad input is kept aside."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from sqlmodel import func, select

from core.types import utcnow
from devices.models import ScanEvent, SensorReading
from notify.models import Notification
from orders.models import StatusEvent
from orders.status import Status
from tests.integration.devices.conftest import wait_for
from tests.unit.devices.devices_builders import (
    devices_world,
    last_event,
    letters_of,
    order_at,
    reading_payload,
    scan_payload,
    status_of,
)

pytestmark = pytest.mark.mqtt


def readings_of(rt, device_id: str) -> list[SensorReading]:
    with rt.uow() as uow:
        rows = list(uow.session.exec(select(SensorReading).where(SensorReading.device_id == device_id)).all())
        uow.session.expunge_all()
        return rows


def moved_to(rt, order_no: str, status: str):
    def check():
        ev = last_event(rt, order_no)
        return ev if ev is not None and ev.to_status == status else None
    return check


def test_a_scan_ships_the_order_with_operator_device_temperature_and_humidity(hub, publisher):
    rt = hub.extensions["ops"]
    world = devices_world(rt)
    scanner, sensor = world["scanner"].device_id, world["sensor"].device_id
    no = order_at(rt, Status.IN_STOCK)
    publisher.publish(f"ops/sensor/{sensor}", json.dumps({"temperature": 24.5, "humidity": 58,
                                                           "ts": utcnow().isoformat()}))
    wait_for(lambda: readings_of(rt, sensor), "the sensor reading to be stored")
    publisher.publish(f"ops/scan/{scanner}", scan_payload(no, "ship", carrier="顺丰", tracking_no="SF1402938475621",
                                                          ts=utcnow().isoformat()))
    ev = wait_for(moved_to(rt, no, "shipped"), "the order to be shipped")
    assert (ev.source, ev.actor, ev.actor_staff_id) == ("scan", "warehouse员", world["people"]["warehouse"].id)
    assert (ev.device_id, ev.temperature, ev.humidity) == (scanner, 24.5, 58.0)
    assert ev.data["tracking_no"] == "SF1402938475621"


def test_a_reading_older_than_the_bound_leaves_the_climate_missing(hub, publisher):
    rt = hub.extensions["ops"]
    world = devices_world(rt)
    scanner, sensor = world["scanner"].device_id, world["sensor"].device_id
    no = order_at(rt, Status.SHIPPED)
    publisher.publish(f"ops/sensor/{sensor}", reading_payload(31.0, 80.0, ts=utcnow() - timedelta(minutes=20)))
    stored = wait_for(lambda: readings_of(rt, sensor), "the old reading to be stored")
    assert (stored[0].temperature, stored[0].zone) == (31.0, "成品仓A区")
    publisher.publish(f"ops/scan/{scanner}", scan_payload(no, "pickup"))
    ev = wait_for(moved_to(rt, no, "in_transit"), "the pickup")
    assert (ev.device_id, ev.temperature, ev.humidity) == (scanner, None, None)


def test_a_redelivered_scan_changes_the_order_once(hub, publisher):
    rt = hub.extensions["ops"]
    world = devices_world(rt)
    scanner = world["scanner"].device_id
    first, marker = order_at(rt, Status.SHIPPED), order_at(rt, Status.SHIPPED)
    payload = scan_payload(first, "pickup")
    publisher.publish(f"ops/scan/{scanner}", payload)
    publisher.publish(f"ops/scan/{scanner}", payload)  # QoS 1 "at least once": the same event again
    publisher.publish(f"ops/scan/{scanner}", scan_payload(marker, "pickup"))
    wait_for(moved_to(rt, marker, "in_transit"), "the scan published after the duplicate")
    event_id = json.loads(payload)["event_id"]
    with rt.uow() as uow:
        assert uow.session.exec(select(func.count()).select_from(ScanEvent)
                                .where(ScanEvent.event_id == event_id)).one() == 1
        assert uow.session.exec(select(func.count()).select_from(StatusEvent)
                                .where(StatusEvent.command == "pickup", StatusEvent.device_id == scanner)).one() == 2
    assert status_of(rt, first) == "in_transit"
    assert letters_of(rt, scanner) == []


def test_malformed_and_unknown_messages_become_dead_letters_and_the_client_lives_on(hub, publisher):
    rt = hub.extensions["ops"]
    world = devices_world(rt)
    scanner, sensor = world["scanner"].device_id, world["sensor"].device_id
    stranger = f"t-ghost-{uuid.uuid4().hex[:6]}"
    no, illegal = order_at(rt, Status.SHIPPED), order_at(rt, Status.PENDING_REVIEW)
    publisher.publish(f"ops/scan/{scanner}", "{not json")
    publisher.publish(f"ops/scan/{scanner}", b"\xff\xfe\x00not utf-8")
    publisher.publish(f"ops/scan/{scanner}", json.dumps({"event_id": uuid.uuid4().hex, "action": "ship"}))
    publisher.publish(f"ops/scan/{scanner}", scan_payload("SO20990101-0009", "pickup"))
    publisher.publish(f"ops/scan/{scanner}", scan_payload(no, "pickup", operator="nobody.here"))
    publisher.publish(f"ops/scan/{scanner}", scan_payload(illegal, "pickup"))
    publisher.publish(f"ops/scan/{stranger}", scan_payload(no, "pickup"))
    publisher.publish(f"ops/sensor/{sensor}", '{"temperature": "hot", "humidity": 50}')
    publisher.publish(f"ops/scan/{scanner}", scan_payload(no, "pickup"))  # a good one after all that
    wait_for(moved_to(rt, no, "in_transit"), "the good scan after the bad ones")
    reasons = [d.reason for d in letters_of(rt, topic=f"ops/scan/{scanner}")]
    assert reasons[0] == "消息不是合法的 JSON"
    assert reasons[1] == "消息不是合法的 JSON"
    assert reasons[2] == "缺少字段：order_no、operator"
    assert "没有找到订单 SO20990101-0009" in reasons[3]
    assert "未知操作员 nobody.here" in reasons[4]
    assert "待审核" in reasons[5] and reasons[5].startswith("扫码未生效")
    assert [d.reason for d in letters_of(rt, topic=f"ops/scan/{stranger}")] == [
        f"未登记的设备 {stranger}，请先在后台登记"]
    assert [d.reason for d in letters_of(rt, topic=f"ops/sensor/{sensor}")] == ["字段 temperature 必须是数字"]
    assert status_of(rt, illegal) == "pending_review"
    assert rt.extras["devices_client"].connected.is_set()


def test_a_last_will_on_the_status_topic_alerts_the_owner(hub, publisher):
    rt = hub.extensions["ops"]
    world = devices_world(rt)
    sensor = world["sensor"].device_id
    publisher.publish(f"ops/status/{sensor}", "online")
    publisher.publish(f"ops/status/{sensor}", "offline")

    def alerted():
        with rt.uow() as uow:
            rows = uow.session.exec(select(Notification).where(Notification.kind == "device_offline")).all()
            uow.session.expunge_all()
            return rows
    notes = wait_for(alerted, "the offline alert")
    assert [n.recipient for n in notes] == ["t.warehouse"]
    assert sensor in notes[0].body
