"""Logins for the web admin and bearer tokens for the API."""
