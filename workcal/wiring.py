"""Wiring of the working-time calendar: its tables, the /healthz warning, the import command."""

from __future__ import annotations

MODELS = ["workcal.models"]


def init_app(app) -> None:
    """Register the calendar's health check and `ops import-holidays`."""
    from web.health import CHECKS
    from workcal.commands import import_holidays_command
    from workcal.service import health_check

    CHECKS["workcal"] = health_check
    if "import-holidays" not in app.cli.commands:
        app.cli.add_command(import_holidays_command)
