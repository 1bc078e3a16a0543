"""Wiring of dataio: `ops export`, the nightly export cron and the export API (the admin pages live in web/)."""

from __future__ import annotations

from core.feature import CronEntry, Feature
from dataio.api import blp
from dataio.commands import export_command
from dataio.nightly import nightly_export_job

FEATURE = Feature(
    name="dataio",
    api_blueprints=[blp],
    commands=[export_command],
    cron=[CronEntry(func=nightly_export_job, interval=300)],  # writes once a day, after EXPORT_AT
)
