"""Domain errors. Each carries the Chinese text the user sees."""

from __future__ import annotations


class OrderError(Exception):
    """Base of every domain error; `message` is shown to users as is."""

    http_status = 400
    code = "order_error"

    def __init__(self, message: str, **details):
        super().__init__(message)
        self.message = message
        self.details = details


class OrderNotFound(OrderError):
    http_status = 404
    code = "order_not_found"


class IllegalTransition(OrderError):
    http_status = 409
    code = "illegal_transition"


class VersionConflict(OrderError):
    http_status = 409
    code = "version_conflict"


class NotAllowed(OrderError):
    http_status = 403
    code = "not_allowed"


class MissingField(OrderError):
    http_status = 400
    code = "missing_field"


class InvalidInput(OrderError):
    http_status = 400
    code = "invalid_input"
