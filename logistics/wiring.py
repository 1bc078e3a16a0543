"""Wiring of logistics (filled as the feature lands)."""
