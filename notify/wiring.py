"""Wiring of the outbox and its channel adapters."""

from __future__ import annotations

from core.feature import CronEntry, Feature
from core.runtime import Runtime
from notify import models
from notify.adapters import build_channels
from notify.outbox import catch_up


def channels(rt: Runtime) -> dict:
    """The channel adapters of this process (WeCom app, robots, email, SMS)."""
    return build_channels(rt.settings, rt.redis)


FEATURE = Feature(name="notify", models=[models], channels=channels,
                  cron=[CronEntry(func=catch_up, interval=30)])
