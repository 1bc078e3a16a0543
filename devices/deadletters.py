"""Keep what could not be applied, with the reason, for the admin to see."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlmodel import Session

from core.runtime import Runtime
from devices.models import DeadLetter
from devices.payloads import clean

log = logging.getLogger(__name__)

MAX_STORED = 8000  # characters of the payload kept


def add_dead_letter(session: Session, *, topic: str, payload: str, reason: str, received_at: datetime,
                    device_id: str | None = None) -> DeadLetter:
    """Add a dead letter to the caller's transaction."""
    log.warning("device message dead-lettered: %s: %s", topic, reason)
    row = DeadLetter(topic=clean(topic)[:200], device_id=device_id and clean(device_id)[:100],
                     payload=clean(payload[:MAX_STORED]), reason=clean(reason)[:500], received_at=received_at)
    session.add(row)
    return row


def record_dead_letter(rt: Runtime, *, topic: str, payload: str, reason: str, received_at: datetime,
                       device_id: str | None = None) -> None:
    """Write a dead letter in its own transaction."""
    with rt.uow() as uow:
        add_dead_letter(uow.session, topic=topic, payload=payload, reason=reason, received_at=received_at,
                        device_id=device_id)
        uow.commit()
