"""Wiring of bot (filled as the feature lands)."""
