"""Errors of backup and restore; the message is what the operator reads."""

from __future__ import annotations

from core.errors import UserError


class BackupError(UserError):
    """A backup or restore could not be done."""

    code = "backup_error"
