"""Wiring of the order domain."""

MODELS = ["orders.models"]
