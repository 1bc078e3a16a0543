"""Outbox, user-facing templates and channel adapters (WeCom app, group robot, SMS, email)."""
