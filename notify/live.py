"""Live updates for boards: publish small JSON events on Redis pub/sub."""

from __future__ import annotations

import json
import logging

from core.runtime import Runtime

log = logging.getLogger(__name__)

CHANNEL = "ops:live"


def publish(runtime: Runtime, topic: str, data: dict) -> None:
    """Tell open boards that something changed; never fails the caller."""
    try:
        runtime.redis.publish(CHANNEL, json.dumps({"topic": topic, **data}, ensure_ascii=False, default=str))
    except Exception:
        log.warning("live publish failed for %s", topic, exc_info=True)
