"""The device registry and the people behind scans."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from devices.models import Device, DeviceOperator
from orders.models import Staff


def find_device(session: Session, device_id: str, *, for_update: bool = False) -> Device | None:
    """The registered device with this id, or None."""
    stmt = select(Device).where(Device.device_id == device_id)
    if for_update:
        stmt = stmt.with_for_update()
    return session.exec(stmt).first()


def mark_seen(device: Device, at: datetime) -> None:
    """A message came from the device: it is alive (ends an offline episode)."""
    if device.last_seen_at is None or at > device.last_seen_at:
        device.last_seen_at = at
    device.online = True
    device.offline_since = None


def find_operator(session: Session, code: str) -> Staff | None:
    """The person a scan names: by WeCom userid first, then by a registered badge code."""
    staff = session.exec(select(Staff).where(Staff.userid == code)).first()
    if staff is not None:
        return staff
    badge = session.exec(select(DeviceOperator).where(DeviceOperator.badge == code)).first()
    return session.get(Staff, badge.staff_id) if badge else None


def register_device(session: Session, device_id: str, *, kind: str, zone: str = "", name: str = "",
                    location: str = "", owner: Staff | None = None) -> Device:
    """Add a device to the registry (or return the one already there)."""
    device = find_device(session, device_id)
    if device is None:
        device = Device(device_id=device_id, kind=kind, zone=zone, name=name, location=location,
                        owner_staff_id=owner.id if owner else None)
        session.add(device)
        session.flush()
    return device
