"""Domain errors. Each carries the Chinese text the user sees."""

from __future__ import annotations

from core.errors import UserError


class OrderError(UserError):
    """Base of every order-domain error; `message` is shown to users as is."""

    code = "order_error"


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


class DateOutOfRange(InvalidInput):
    """A date more than DATE_WINDOW_YEARS from today: a typo, and a cost for every later calculation."""

    code = "date_out_of_range"
