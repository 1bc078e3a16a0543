"""Errors of alerting; each carries the Chinese text the user sees."""

from __future__ import annotations

from orders.exceptions import OrderError


class RuleInvalid(OrderError):
    """A rule's data cannot be evaluated (bad kind, threshold, unit, recipients, channels)."""

    http_status = 400
    code = "invalid_rule"


class RuleNotFound(OrderError):
    http_status = 404
    code = "rule_not_found"


class AlertNotFound(OrderError):
    http_status = 404
    code = "alert_not_found"


class AlertResolved(OrderError):
    """An alert that already cleared cannot be acknowledged."""

    http_status = 409
    code = "alert_resolved"
