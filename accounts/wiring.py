"""Wiring of logins and API tokens."""

from __future__ import annotations

from accounts import models
from core.feature import Feature

FEATURE = Feature(name="accounts", models=[models])
