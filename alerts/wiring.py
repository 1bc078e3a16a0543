"""Wiring of alerts: tables, the API blueprint, the /healthz check, the default rules, the sweep cron."""

from __future__ import annotations

from alerts import models
from alerts.api import blp
from alerts.rules import seed_extension
from alerts.service import health_check
from alerts.sweep import run_sweep
from core.feature import CronEntry, Feature

FEATURE = Feature(
    name="alerts",
    models=[models],
    api_blueprints=[blp],
    health_checks={"alerts": health_check},
    cron=[CronEntry(func=run_sweep, interval=60)],
    seed=seed_extension,
)
