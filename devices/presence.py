"""Online/offline: last-will status messages, the silence check, and the offline alert.

An offline episode starts once (Device.offline_since is set) and ends at the next
message from the device; the alert's dedupe key names the episode, so a redelivered
last will or a second sweep never tells the owner twice.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlmodel import select

from core.bus import UnitOfWork
from core.runtime import Runtime
from core.types import utcnow
from devices import payloads, texts
from devices.deadletters import add_dead_letter
from devices.exceptions import BadPayload
from devices.models import Device
from devices.registry import find_device, mark_seen
from notify.outbox import queue_notification
from orders.models import Staff
from orders.roles import Role

log = logging.getLogger(__name__)


def handle_status(rt: Runtime, topic: str, payload: str, received_at: datetime, retained: bool = False) -> str:
    """Apply `ops/status/<device_id>`: 'online', 'offline' (usually the device's last will)."""
    try:
        device_id = payloads.device_of(topic)
    except BadPayload:
        return "ignored"
    try:
        state, bad = payloads.parse_presence(payload), None
    except BadPayload as exc:
        state, bad = None, exc.reason
    with rt.uow() as uow:
        device = find_device(uow.session, device_id, for_update=True)
        if device is None:
            # Retained statuses of devices we never registered arrive at every subscribe: not our business.
            log.info("status of unregistered device on %s ignored", topic)
            return "ignored"
        if bad is not None:
            add_dead_letter(uow.session, topic=topic, payload=payload, reason=bad, received_at=received_at,
                            device_id=device.device_id)
            outcome = "rejected"
        elif state is None or (state == "online" and retained):
            return "ignored"  # a cleared retained status, or an old retained 'online' that proves nothing
        elif state == "offline" and retained and _recently_seen(rt, device, received_at):
            return "ignored"  # an old retained last will of a device that has spoken since
        elif state == "online":
            mark_seen(device, received_at)
            outcome = "online"
        else:
            outcome = "offline" if mark_offline(uow, rt, device, since=received_at, cause=texts.CAUSE_LAST_WILL) \
                else "ignored"
        uow.commit()
        return outcome


def _recently_seen(rt: Runtime, device: Device, now: datetime) -> bool:
    seen = device.last_seen_at
    return seen is not None and now - seen < rt.settings.devices.silence


def check_silence(rt: Runtime, now: datetime | None = None) -> int:
    """Mark devices silent for longer than the bound as offline; returns how many went offline."""
    now = now or utcnow()
    bound = rt.settings.devices.silence
    minutes = round(bound.total_seconds() / 60)
    count = 0
    with rt.uow() as uow:
        silent = uow.session.exec(
            select(Device).where(Device.online == True, Device.last_seen_at < now - bound)  # noqa: E712
            .with_for_update()
        ).all()
        for device in silent:
            if mark_offline(uow, rt, device, since=device.last_seen_at,
                            cause=texts.CAUSE_SILENCE.format(minutes=minutes)):
                count += 1
        uow.commit()
    return count


def mark_offline(uow: UnitOfWork, rt: Runtime, device: Device, *, since: datetime, cause: str) -> bool:
    """Start an offline episode and tell the owner; False when the device is already offline."""
    if device.offline_since is not None:
        return False
    device.online = False
    device.offline_since = since
    uow.session.add(device)
    for person in _recipients(uow, device):
        queue_notification(
            uow, kind="device_offline", channel="wecom_app", recipient=person.userid, recipient_name=person.name,
            subject=texts.OFFLINE_SUBJECT.format(device_id=device.device_id),
            body=offline_text(device, since, cause, rt.settings.tz),
            payload={"device_id": device.device_id, "zone": device.zone, "since": since.isoformat(),
                     "cause": cause},
            dedupe_key=f"device_offline:{device.device_id}:{since:%Y%m%dT%H%M%S}:{person.userid}",
        )
    return True


def offline_text(device: Device, since: datetime, cause: str, tz) -> str:
    """The alert a device owner reads."""
    return texts.OFFLINE_BODY.format(kind=texts.KIND_LABELS.get(device.kind, device.kind), device_id=device.device_id,
                                 zone=device.zone or texts.NO_ZONE, since=f"{since.astimezone(tz):%m-%d %H:%M}",
                                 cause=cause)


def _recipients(uow: UnitOfWork, device: Device) -> list[Staff]:
    """The device owner; managers when it has none (an offline scanner must reach someone)."""
    s = uow.session
    owner = s.get(Staff, device.owner_staff_id) if device.owner_staff_id else None
    if owner is not None and owner.userid and owner.active:
        return [owner]
    people = s.exec(select(Staff).where(Staff.active == True, Staff.userid.is_not(None))).all()  # noqa: E712
    managers = [p for p in people if Role.MANAGER in p.role_set]
    if not managers:
        log.warning("device %s went offline and has no owner or manager to tell", device.device_id)
    return managers
