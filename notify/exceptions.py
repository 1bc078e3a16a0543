"""Errors of the notify package (admin actions); each carries the Chinese text users see."""

from __future__ import annotations

from orders.exceptions import OrderError


class NotificationNotFound(OrderError):
    http_status = 404
    code = "notification_not_found"


class NotResendable(OrderError):
    http_status = 409
    code = "notification_not_resendable"
