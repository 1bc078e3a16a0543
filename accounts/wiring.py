"""Wiring of logins and API tokens."""

MODELS = ["accounts.models"]
