"""Scans become order commands: the same use cases as chat, with source "scan".

One transaction per scan: the ScanEvent row is inserted first (unique on event_id, so
a QoS-1 redelivery finds it and stops), then the move runs inside a savepoint. When
the move is refused, the savepoint is undone and the scan is kept as rejected with a
dead letter giving the reason — so a redelivered bad scan is not dead-lettered twice.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from core.bus import UnitOfWork
from core.runtime import Runtime
from devices import payloads, texts
from devices.deadletters import add_dead_letter, record_dead_letter
from devices.exceptions import BadPayload, ScanRejected
from devices.models import ScanEvent
from devices.readings import reading_at
from devices.registry import find_device, find_operator, mark_seen
from orders import commands
from orders.actor import Actor, Trace
from orders.exceptions import OrderError, VersionConflict

log = logging.getLogger(__name__)

ATTEMPTS = 3  # a version conflict (someone else moved the order meanwhile) is retried


def handle_scan(rt: Runtime, topic: str, payload: str, received_at: datetime) -> str:
    """Apply one scan of `ops/scan/<device_id>`; returns 'applied', 'duplicate' or 'rejected'."""
    try:
        device_id = payloads.device_of(topic)
        scan = payloads.parse_scan(payload, received_at=received_at, tz=rt.settings.tz)
    except BadPayload as exc:
        record_dead_letter(rt, topic=topic, payload=payload, reason=exc.reason, received_at=received_at)
        return "rejected"
    for _ in range(ATTEMPTS):
        try:
            return _apply_once(rt, topic, payload, scan, device_id, received_at)
        except VersionConflict:
            log.info("scan %s met a version conflict; retrying", scan.event_id)
    record_dead_letter(rt, topic=topic, payload=payload, device_id=device_id, received_at=received_at,
                       reason=texts.BUSY.format(order_no=scan.order_no))
    return "rejected"


def _apply_once(rt: Runtime, topic: str, payload: str, scan: payloads.Scan, device_id: str,
                received_at: datetime) -> str:
    with rt.uow() as uow:
        s = uow.session
        event = ScanEvent(event_id=scan.event_id[:100], device_id=device_id, order_no=scan.order_no,
                          action=scan.action, operator=scan.operator, scanned_at=scan.at,
                          received_at=received_at)
        s.add(event)
        try:
            s.flush()
        except IntegrityError:
            log.info("scan %s already handled; ignoring the redelivery", scan.event_id)
            return "duplicate"
        device = find_device(s, device_id)
        if device is not None:
            mark_seen(device, received_at)
        recorded = len(uow.events)
        try:
            with s.begin_nested():
                _apply(uow, rt, scan, device_id)
        except VersionConflict:
            raise
        except (ScanRejected, OrderError) as exc:
            del uow.events[recorded:]
            reason = exc.reason if isinstance(exc, ScanRejected) else texts.SCAN_PREFIX + exc.message
            event.outcome, event.reason = "rejected", reason[:500]
            add_dead_letter(s, topic=topic, payload=payload, reason=reason, received_at=received_at,
                            device_id=device_id)
        uow.commit()
        return event.outcome


def _apply(uow: UnitOfWork, rt: Runtime, scan: payloads.Scan, device_id: str) -> None:
    """Check device and operator, attach the zone's climate, run the order use case."""
    s = uow.session
    device = find_device(s, device_id)
    if device is None:
        raise ScanRejected(texts.UNKNOWN_DEVICE.format(device_id=device_id))
    if device.kind != "scanner":
        raise ScanRejected(texts.WRONG_KIND.format(device_id=device_id, kind=texts.KIND_LABELS.get(device.kind, device.kind)))
    staff = find_operator(s, scan.operator)
    if staff is None:
        raise ScanRejected(texts.UNKNOWN_OPERATOR.format(operator=scan.operator))
    if not staff.active:
        raise ScanRejected(texts.INACTIVE_OPERATOR.format(name=staff.name))
    reading = reading_at(s, device.zone, scan.at, rt.settings.devices.reading_fresh)
    actor = Actor(staff.name, source="scan", roles=staff.role_set, userid=staff.userid, staff_id=staff.id)
    trace = Trace(device_id=device_id, temperature=reading.temperature if reading else None,
                  humidity=reading.humidity if reading else None)
    run_action(uow, scan, actor, trace)


def run_action(uow: UnitOfWork, scan: payloads.Scan, actor: Actor, trace: Trace) -> None:
    """Run the order command a scan action names (payloads.ACTIONS lists those a scanner may send)."""
    if scan.action in commands.LINE_COMMANDS:
        commands.run_line(uow, scan.action, actor=actor, fields=scan.fields(), trace=trace)
        return
    if scan.action not in payloads.ACTIONS or scan.action not in commands.COMMANDS:
        raise ScanRejected(texts.NOT_SUPPORTED.format(action=scan.action))
    commands.run(uow, scan.action, scan.order_no, actor=actor, fields=scan.fields(), trace=trace)
