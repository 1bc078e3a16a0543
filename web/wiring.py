"""Wiring of web (filled as the feature lands)."""
