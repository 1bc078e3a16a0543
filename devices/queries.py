"""Read views of the device feature for the admin (web engineer) and the API."""

from __future__ import annotations

from sqlmodel import Session, select

from devices.models import DeadLetter, Device, ScanEvent, SensorReading


def dead_letters(session: Session, limit: int = 50) -> list[DeadLetter]:
    """Messages that could not be applied, newest first, each with its Chinese reason."""
    return list(session.exec(select(DeadLetter).order_by(DeadLetter.id.desc()).limit(limit)).all())


def devices(session: Session) -> list[Device]:
    """The device registry, by zone then id."""
    return list(session.exec(select(Device).order_by(Device.zone, Device.device_id)).all())


def latest_readings(session: Session, zone: str | None = None, limit: int = 50) -> list[SensorReading]:
    """The newest sensor readings, optionally of one zone."""
    stmt = select(SensorReading)
    if zone:
        stmt = stmt.where(SensorReading.zone == zone)
    return list(session.exec(stmt.order_by(SensorReading.ts.desc(), SensorReading.id.desc()).limit(limit)).all())


def recent_scans(session: Session, limit: int = 50) -> list[ScanEvent]:
    """The newest scans with their outcome (applied / rejected)."""
    return list(session.exec(select(ScanEvent).order_by(ScanEvent.id.desc()).limit(limit)).all())
