"""The base of every domain event; features define their own events in the past tense."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Event:
    """Base of every domain event."""
