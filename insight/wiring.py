"""Wiring of insight: its summary tables and their refresh cron, the read-only API and the demo's
traced QC batches and accuracy audit (the admin pages live in web/admin_insight.py, since features do not import web)."""

from __future__ import annotations

from core.feature import CronEntry, Feature
from insight import models
from insight.api import blp
from insight.seed import seed_insight
from insight.summaries import rebuild_job, refresh_job

FEATURE = Feature(
    name="insight",
    models=[models],
    api_blueprints=[blp],
    cron=[CronEntry(func=refresh_job, interval=60),
          CronEntry(func=rebuild_job, cron="30 19 * * *")],  # 03:30 in Shanghai
    seed=seed_insight,
)
