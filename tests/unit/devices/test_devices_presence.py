"""Devices going offline (last will or silence) tell their owner once per episode."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from core.types import utcnow
from devices.models import Device
from devices.presence import check_silence, handle_status
from devices.readings import handle_reading
from devices.registry import find_device
from devices.seed import seed_demo_devices
from notify.models import Notification
from orders.models import Staff
from tests.unit.devices.devices_builders import devices_world, letters_of, reading_payload


def offline_notes(rt) -> list[Notification]:
    with rt.uow() as uow:
        rows = list(uow.session.exec(select(Notification).where(Notification.kind == "device_offline")
                                     .order_by(Notification.id)).all())
        uow.session.expunge_all()
        return rows


def device(rt, device_id: str) -> Device:
    with rt.uow() as uow:
        d = find_device(uow.session, device_id)
        uow.session.expunge_all()
        return d


def test_last_will_marks_offline_and_tells_the_owner_once(app):
    rt = app.extensions["ops"]
    world = devices_world(rt)
    sid = world["scanner"].device_id
    assert handle_status(rt, f"ops/status/{sid}", "online", utcnow()) == "online"
    assert handle_status(rt, f"ops/status/{sid}", "offline", utcnow()) == "offline"
    assert handle_status(rt, f"ops/status/{sid}", "offline", utcnow()) == "ignored"  # redelivered will
    notes = offline_notes(rt)
    assert [(n.recipient, n.channel) for n in notes] == [("t.warehouse", "wecom_app")]
    assert sid in notes[0].body and "遗嘱" in notes[0].body and "成品仓A区" in notes[0].body
    assert not device(rt, sid).online


def test_a_device_back_online_can_go_offline_again_and_is_told_again(app):
    rt = app.extensions["ops"]
    sid = devices_world(rt)["scanner"].device_id
    handle_status(rt, f"ops/status/{sid}", "offline", utcnow() - timedelta(minutes=5))
    handle_status(rt, f"ops/status/{sid}", "online", utcnow() - timedelta(minutes=3))
    handle_status(rt, f"ops/status/{sid}", "offline", utcnow())
    assert len(offline_notes(rt)) == 2


def test_silence_longer_than_the_bound_is_offline(app):
    rt = app.extensions["ops"]
    world = devices_world(rt)
    env = world["sensor"].device_id
    handle_reading(rt, f"ops/sensor/{env}", reading_payload(20, 50), utcnow() - timedelta(minutes=16))
    assert check_silence(rt, now=utcnow() - timedelta(minutes=2)) == 0  # 14 minutes: still fine
    assert check_silence(rt) == 1
    assert check_silence(rt) == 0
    notes = offline_notes(rt)
    assert len(notes) == 1 and "超过 15 分钟没有任何消息" in notes[0].body
    assert not device(rt, env).online
    assert device(rt, world["scanner"].device_id).offline_since is None  # never seen: not 'gone offline'


def test_retained_online_proves_nothing_and_old_retained_will_of_a_live_device_is_ignored(app):
    rt = app.extensions["ops"]
    sid = devices_world(rt)["scanner"].device_id
    assert handle_status(rt, f"ops/status/{sid}", "online", utcnow(), retained=True) == "ignored"
    assert device(rt, sid).last_seen_at is None
    handle_status(rt, f"ops/status/{sid}", "online", utcnow())
    assert handle_status(rt, f"ops/status/{sid}", "offline", utcnow(), retained=True) == "ignored"
    assert offline_notes(rt) == []


def test_unregistered_status_is_ignored_and_gibberish_of_a_known_device_is_dead_lettered(app):
    rt = app.extensions["ops"]
    sid = devices_world(rt)["scanner"].device_id
    assert handle_status(rt, "ops/status/stranger-9", "offline", utcnow()) == "ignored"
    assert handle_status(rt, f"ops/status/{sid}", "sleepy", utcnow()) == "rejected"
    assert [d.reason for d in letters_of(rt)] == ["设备状态消息只能是 online 或 offline，收到：sleepy"]


def test_a_device_without_owner_tells_the_managers(app):
    rt = app.extensions["ops"]
    world = devices_world(rt)
    sid = world["sensor"].device_id
    with rt.uow() as uow:
        find_device(uow.session, sid).owner_staff_id = None
        uow.commit()
    handle_status(rt, f"ops/status/{sid}", "offline", utcnow())
    assert [n.recipient for n in offline_notes(rt)] == ["boss"]


def test_seed_extension_registers_the_demo_devices_in_one_zone(app):
    rt = app.extensions["ops"]
    with rt.uow() as uow:
        keeper = Staff(name="仓库演示", userid="demo.warehouse", roles="warehouse")
        uow.session.add(keeper)
        uow.session.flush()
        seed_demo_devices(uow.session, {"staff": {}})
        seed_demo_devices(uow.session, {})  # idempotent
        uow.commit()
        rows = uow.session.exec(select(Device).order_by(Device.device_id)).all()
        assert [(d.device_id, d.kind, d.zone, d.owner_staff_id) for d in rows] == [
            ("wh-env-01", "sensor", "成品仓A区", keeper.id), ("wh-scan-01", "scanner", "成品仓A区", keeper.id)]


def test_the_demo_factory_has_the_scanner_and_sensor(seeded_app):
    rt = seeded_app.extensions["ops"]
    with rt.uow() as uow:
        scanner = find_device(uow.session, "wh-scan-01")
        sensor = find_device(uow.session, "wh-env-01")
        owner = uow.session.get(Staff, scanner.owner_staff_id)
        assert (scanner.kind, sensor.kind, scanner.zone, sensor.zone) == ("scanner", "sensor", "成品仓A区", "成品仓A区")
        assert owner.userid == "demo.warehouse"
