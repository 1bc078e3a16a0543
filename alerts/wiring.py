"""Wiring of alerts (filled as the feature lands)."""
