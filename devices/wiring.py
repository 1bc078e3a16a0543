"""Wiring of devices (filled as the feature lands)."""
