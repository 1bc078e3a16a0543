"""Wiring of insight: the read-only API and the demo's traced QC batches (the admin pages live in
web/admin_insight.py, since features do not import web)."""

from __future__ import annotations

from core.feature import Feature
from insight.api import blp
from insight.seed import seed_quality_batches

FEATURE = Feature(
    name="insight",
    api_blueprints=[blp],
    seed=seed_quality_batches,
)
