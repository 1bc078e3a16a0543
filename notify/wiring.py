"""Wiring of the outbox and channels."""

from __future__ import annotations

from notify.outbox import catch_up
from worker import CronEntry

MODELS = ["notify.models"]
CRON = [CronEntry(func=catch_up, interval=30)]


def register(bus, runtime) -> None:
    """Build the channel adapters of this runtime into runtime.extras["channels"]."""
    from notify.adapters import build_channels
    from notify.outbox import channels_of

    channels_of(runtime).update(build_channels(runtime.settings, runtime.redis))
