"""Jobs of the device feature: each MQTT message is handled here, never in the network thread.

The MQTT client only queues these (RQ); a worker runs them in the app context. Bad
input never raises, it becomes a dead letter. A lost database connection propagates
so RQ retries the job; any other unexpected error is logged and dead-lettered too, so
no message disappears without a trace in the admin.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError

from core.runtime import current_runtime
from devices import texts
from devices.deadletters import record_dead_letter
from devices.presence import check_silence, handle_status
from devices.readings import handle_reading
from devices.service import handle_scan

log = logging.getLogger(__name__)

RETRYABLE = (OperationalError, InterfaceError, DisconnectionError)


def _guarded(handler: Callable, topic: str, payload: str, received_at: str, *extra) -> str:
    rt = current_runtime()
    at = datetime.fromisoformat(received_at)
    try:
        return handler(rt, topic, payload, at, *extra)
    except RETRYABLE:
        raise
    except Exception as exc:
        log.exception("device message on %s failed", topic)
        record_dead_letter(rt, topic=topic, payload=payload, received_at=at,
                           reason=texts.INTERNAL_ERROR.format(error=type(exc).__name__))
        return "failed"


def process_scan(topic: str, payload: str, received_at: str) -> str:
    """Apply one scan (`ops/scan/<device_id>`)."""
    return _guarded(handle_scan, topic, payload, received_at)


def process_sensor(topic: str, payload: str, received_at: str) -> str:
    """Store one temperature/humidity reading (`ops/sensor/<device_id>`)."""
    return _guarded(handle_reading, topic, payload, received_at)


def process_status(topic: str, payload: str, received_at: str, retained: bool = False) -> str:
    """Apply one online/offline status (`ops/status/<device_id>`)."""
    return _guarded(handle_status, topic, payload, received_at, retained)


def check_silent_devices() -> int:
    """Cron: devices that said nothing for too long are offline; tell their owners."""
    return check_silence(current_runtime())
