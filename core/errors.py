"""The base user-facing error: its `message` is the Chinese text a person reads as is."""

from __future__ import annotations


class UserError(Exception):
    """An error whose message a person reads; `http_status` and `code` shape the API answer."""

    http_status = 400
    code = "user_error"

    def __init__(self, message: str, **details):
        super().__init__(message)
        self.message = message
        self.details = details
