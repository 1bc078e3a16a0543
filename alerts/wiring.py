"""Wiring of alerts: tables, the API blueprint, the /healthz check, the seed hook, the sweep cron."""

from __future__ import annotations

from alerts.sweep import run_sweep
from worker import CronEntry

MODELS = ["alerts.models"]
CRON = [CronEntry(func=run_sweep, interval=60)]


def init_app(app) -> None:
    """Register the alerts API (before api.init_app runs), the health check and the seed hook."""
    from alerts.api import blp
    from alerts.service import health_check
    from api import registry
    from web.health import CHECKS

    if blp not in registry.BLUEPRINTS:
        registry.BLUEPRINTS.append(blp)
    CHECKS["alerts"] = health_check
    _hook_seed()


def _hook_seed() -> None:
    """Let the demo seed add the default rules, when orders.seed offers SEED_EXTENSIONS."""
    from alerts.rules import seed_extension
    from orders import seed

    hooks = getattr(seed, "SEED_EXTENSIONS", None)
    if isinstance(hooks, list) and seed_extension not in hooks:
        hooks.append(seed_extension)
