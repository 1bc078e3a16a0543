"""Errors of the device feature; each carries the Chinese reason kept in the dead-letter table."""

from __future__ import annotations


class DeviceError(Exception):
    """Base of the device errors; `reason` is shown in the admin as is."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class BadPayload(DeviceError):
    """The message is not what the topic's contract says (not JSON, missing or malformed fields)."""


class ScanRejected(DeviceError):
    """A well-formed scan that cannot be applied (unknown device or operator, action not supported)."""
