"""Wiring of backups: the `ops backup` and `ops restore` commands."""

from __future__ import annotations

from backups.commands import backup_command, restore_command
from core.feature import Feature

FEATURE = Feature(name="backups", commands=[backup_command, restore_command])
