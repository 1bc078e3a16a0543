"""Errors of the ordering link; each carries the Chinese text the customer reads."""

from __future__ import annotations

from core.errors import UserError


class ShopError(UserError):
    """A problem with what the customer submitted."""


class FormInvalid(ShopError):
    """The ordering form has mistakes; `errors` lists them all."""

    def __init__(self, errors: list[str]):
        super().__init__("；".join(errors))
        self.errors = errors


class AttachmentRefused(ShopError):
    """The attachment is not an image/PDF, is empty, or is too large."""
