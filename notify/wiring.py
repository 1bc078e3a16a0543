"""Wiring of the outbox and channels."""

from __future__ import annotations

from notify.outbox import catch_up
from worker import CronEntry

MODELS = ["notify.models"]
CRON = [CronEntry(func=catch_up, interval=30)]
