"""Wiring of workcal (filled as the feature lands)."""
