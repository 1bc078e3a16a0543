"""Wiring of the working-time calendar: its tables (lines and their days too), the /healthz warning,
`ops import-holidays`, the demo lines."""

from __future__ import annotations

from core.feature import Feature
from workcal import models
from workcal.commands import import_holidays_command
from workcal.seed import seed_lines
from workcal.service import health_check

FEATURE = Feature(name="workcal", models=[models], health_checks={"workcal": health_check},
                  commands=[import_holidays_command], seed=seed_lines)
