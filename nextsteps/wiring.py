"""Wiring of nextsteps (filled as the feature lands)."""
