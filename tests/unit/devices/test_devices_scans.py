"""Scans become the same order commands as chat, traced with operator, device and climate."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from core.types import utcnow
from devices.models import DeviceOperator, ScanEvent, SensorReading
from devices.readings import handle_reading
from devices.service import handle_scan
from orders.status import Status
from tests.unit.devices.devices_builders import (
    devices_world,
    last_event,
    letters_of,
    order_at,
    reading_payload,
    scan_payload,
    status_of,
)


def test_ship_scan_moves_the_order_with_operator_device_and_climate(app):
    rt = app.extensions["ops"]
    world = devices_world(rt)
    no = order_at(rt, Status.IN_STOCK)
    now = utcnow()
    handle_reading(rt, f"ops/sensor/{world['sensor'].device_id}", reading_payload(23.5, 61.0), now)
    outcome = handle_scan(rt, f"ops/scan/{world['scanner'].device_id}",
                          scan_payload(no, "ship", carrier="顺丰", tracking_no="SF1402938475621"), now)
    assert outcome == "applied"
    ev = last_event(rt, no)
    assert (ev.to_status, ev.source, ev.actor, ev.device_id) == ("shipped", "scan", "warehouse员",
                                                                 world["scanner"].device_id)
    assert (ev.temperature, ev.humidity) == (23.5, 61.0)
    assert ev.actor_staff_id == world["people"]["warehouse"].id


def test_a_stale_reading_is_recorded_as_missing(app):
    rt = app.extensions["ops"]
    world = devices_world(rt)
    no = order_at(rt, Status.PENDING_QC, qc_passed=True)
    now = utcnow()
    handle_reading(rt, f"ops/sensor/{world['sensor'].device_id}",
                   reading_payload(30.0, 70.0, ts=now - timedelta(minutes=11)), now)
    assert handle_scan(rt, f"ops/scan/{world['scanner'].device_id}", scan_payload(no, "stock_in"), now) == "applied"
    ev = last_event(rt, no)
    assert ev.to_status == "in_stock"
    assert (ev.temperature, ev.humidity) == (None, None)
    with rt.uow() as uow:
        stored = uow.session.exec(select(SensorReading).where(
            SensorReading.device_id == world["sensor"].device_id)).one()
        uow.session.expunge_all()
    assert (stored.temperature, stored.zone) == (30.0, "成品仓A区")


def test_the_same_event_twice_changes_the_order_once(app):
    rt = app.extensions["ops"]
    world = devices_world(rt)
    no = order_at(rt, Status.SHIPPED)
    payload = scan_payload(no, "pickup")
    topic = f"ops/scan/{world['scanner'].device_id}"
    assert handle_scan(rt, topic, payload, utcnow()) == "applied"
    assert handle_scan(rt, topic, payload, utcnow()) == "duplicate"
    assert status_of(rt, no) == "in_transit"
    assert letters_of(rt, world["scanner"].device_id) == []


def test_an_illegal_move_is_dead_lettered_once_even_when_redelivered(app):
    rt = app.extensions["ops"]
    world = devices_world(rt)
    no = order_at(rt, Status.SCHEDULED)
    payload = scan_payload(no, "ship", carrier="顺丰", tracking_no="SF1402938475621")
    topic = f"ops/scan/{world['scanner'].device_id}"
    assert handle_scan(rt, topic, payload, utcnow()) == "rejected"
    assert handle_scan(rt, topic, payload, utcnow()) == "duplicate"
    letters = letters_of(rt, world["scanner"].device_id)
    assert len(letters) == 1 and "已排产" in letters[0].reason and letters[0].payload == payload
    assert status_of(rt, no) == "scheduled"
    with rt.uow() as uow:
        assert uow.session.exec(select(ScanEvent.outcome)).all() == ["rejected"]


def test_unknown_order_device_and_operator_and_missing_role_are_dead_letters(app):
    rt = app.extensions["ops"]
    world = devices_world(rt)
    no = order_at(rt, Status.IN_STOCK)
    scanner = world["scanner"].device_id
    now = utcnow()
    assert handle_scan(rt, f"ops/scan/{scanner}", scan_payload("SO20990101-0001", "pickup"), now) == "rejected"
    assert handle_scan(rt, "ops/scan/nobody-01", scan_payload(no, "pickup"), now) == "rejected"
    assert handle_scan(rt, f"ops/scan/{scanner}", scan_payload(no, "ship", operator="ghost"), now) == "rejected"
    assert handle_scan(rt, f"ops/scan/{scanner}", scan_payload(no, "ship", operator="t.finance", carrier="自提"),
                       now) == "rejected"
    assert handle_scan(rt, f"ops/sensor/{world['sensor'].device_id}", scan_payload(no, "pickup"), now) == "rejected"
    reasons = [d.reason for d in letters_of(rt)]
    assert "没有找到订单 SO20990101-0001" in reasons[0]
    assert reasons[1] == "未登记的设备 nobody-01，请先在后台登记"
    assert "未知操作员 ghost" in reasons[2]
    assert "没有权限" in reasons[3]
    assert "不能上报扫码" in reasons[4]
    assert status_of(rt, no) == "in_stock"


def test_malformed_payload_is_a_dead_letter_with_the_raw_text(app):
    rt = app.extensions["ops"]
    devices_world(rt)
    assert handle_scan(rt, "ops/scan/x", "{oops", utcnow()) == "rejected"
    assert handle_reading(rt, "ops/sensor/x", '{"temperature": 20}', utcnow()) == "rejected"
    letters = letters_of(rt)
    assert [(d.payload, d.reason) for d in letters] == [("{oops", "消息不是合法的 JSON"),
                                                         ('{"temperature": 20}', "缺少字段：humidity")]


def test_a_badge_code_maps_to_the_person_and_qc_pass_is_recorded(app):
    rt = app.extensions["ops"]
    world = devices_world(rt)
    no = order_at(rt, Status.PENDING_QC)
    with rt.uow() as uow:
        uow.session.add(DeviceOperator(badge="B-0007", staff_id=world["people"]["qc"].id))
        uow.commit()
    assert handle_scan(rt, f"ops/scan/{world['scanner'].device_id}", scan_payload(no, "qc_pass", operator="B-0007"),
                       utcnow()) == "applied"
    ev = last_event(rt, no)
    assert (ev.command, ev.actor, ev.device_id) == ("qc_pass", "qc员", world["scanner"].device_id)
    assert status_of(rt, no) == "pending_qc"


def test_qc_fail_needs_a_reason_and_carries_it(app):
    rt = app.extensions["ops"]
    world = devices_world(rt)
    topic = f"ops/scan/{world['scanner'].device_id}"
    no = order_at(rt, Status.PENDING_QC)
    assert handle_scan(rt, topic, scan_payload(no, "qc_fail", operator="t.qc"), utcnow()) == "rejected"
    assert "需要原因" in letters_of(rt, world["scanner"].device_id)[0].reason
    assert handle_scan(rt, topic, scan_payload(no, "qc_fail", operator="t.qc", reason="划痕"), utcnow()) == "applied"
    ev = last_event(rt, no)
    assert (ev.to_status, ev.note) == ("rework", "划痕")


def test_a_scan_marks_its_device_seen(app):
    rt = app.extensions["ops"]
    world = devices_world(rt)
    no = order_at(rt, Status.SHIPPED)
    now = utcnow()
    handle_scan(rt, f"ops/scan/{world['scanner'].device_id}", scan_payload(no, "pickup"), now)
    with rt.uow() as uow:
        from devices.registry import find_device

        device = find_device(uow.session, world["scanner"].device_id)
        uow.session.expunge_all()
    assert device.online and device.last_seen_at == now


def test_a_report_scan_reports_progress_and_starts_production(app):
    rt = app.extensions["ops"]
    world = devices_world(rt)
    no = order_at(rt, Status.SCHEDULED)
    outcome = handle_scan(rt, f"ops/scan/{world['scanner'].device_id}",
                          scan_payload(no, "report", operator="t.production", process="CNC加工", percent=40),
                          utcnow())
    assert outcome == "applied"
    assert status_of(rt, no) == "in_production"
    assert last_event(rt, no).device_id == world["scanner"].device_id


def test_the_freshness_bound_is_configurable(db_url):
    from tests.conftest import make_app

    app = make_app(db_url, devices={"reading_fresh_minutes": 30})
    rt = app.extensions["ops"]
    world = devices_world(rt)
    no = order_at(rt, Status.SHIPPED)
    now = utcnow()
    handle_reading(rt, f"ops/sensor/{world['sensor'].device_id}",
                   reading_payload(18.0, 40.0, ts=now - timedelta(minutes=20)), now)
    handle_scan(rt, f"ops/scan/{world['scanner'].device_id}", scan_payload(no, "pickup"), now)
    assert (last_event(rt, no).temperature, last_event(rt, no).humidity) == (18.0, 40.0)
    rt.engine.dispose()
