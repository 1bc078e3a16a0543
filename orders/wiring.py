"""Wiring of the order domain: its tables (the domain raises events; other features handle them)."""

from __future__ import annotations

from core.feature import Feature
from orders import models

FEATURE = Feature(name="orders", models=[models])
