"""Sensor readings: store them, and find the one that describes a scan's moment."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, select

from core.runtime import Runtime
from devices import payloads, texts
from devices.deadletters import add_dead_letter, record_dead_letter
from devices.exceptions import BadPayload
from devices.models import SensorReading
from devices.registry import find_device, mark_seen


def handle_reading(rt: Runtime, topic: str, payload: str, received_at: datetime) -> str:
    """Store one reading of `ops/sensor/<device_id>`; returns 'stored' or 'rejected'."""
    try:
        device_id = payloads.device_of(topic)
        reading = payloads.parse_reading(payload, received_at=received_at, tz=rt.settings.tz)
    except BadPayload as exc:
        record_dead_letter(rt, topic=topic, payload=payload, reason=exc.reason, received_at=received_at)
        return "rejected"
    with rt.uow() as uow:
        device = find_device(uow.session, device_id)
        if device is None:
            add_dead_letter(uow.session, topic=topic, payload=payload, device_id=device_id,
                            reason=texts.UNKNOWN_DEVICE.format(device_id=device_id), received_at=received_at)
            uow.commit()
            return "rejected"
        mark_seen(device, received_at)
        uow.session.add(SensorReading(device_id=device_id, zone=device.zone, temperature=reading.temperature,
                                      humidity=reading.humidity, ts=reading.at, received_at=received_at))
        uow.commit()
    return "stored"


def reading_at(session: Session, zone: str, at: datetime, fresh: timedelta) -> SensorReading | None:
    """The newest reading of `zone` measured at or before `at`, if no older than `fresh`; else None.

    A stale or missing reading is recorded as missing: we never guess the climate.
    """
    if not zone:
        return None
    row = session.exec(
        select(SensorReading).where(SensorReading.zone == zone, SensorReading.ts <= at)
        .order_by(SensorReading.ts.desc(), SensorReading.id.desc()).limit(1)
    ).first()
    if row is None or at - row.ts > fresh:
        return None
    return row

