"""Channel adapters behind one tiny interface, and a test double that records sends."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from notify.models import Notification


class ChannelError(Exception):
    """A send failed; `retry` says whether trying again may help."""

    def __init__(self, message: str, *, retry: bool = True, retry_after: float | None = None):
        super().__init__(message)
        self.retry = retry
        self.retry_after = retry_after


@dataclass(frozen=True)
class SendResult:
    provider_msgid: str = ""


class Channel(Protocol):
    """Sends one notification; raises ChannelError on failure."""

    name: str

    def send(self, n: Notification) -> SendResult: ...


@dataclass
class RecordingChannel:
    """Test double: remembers every notification it was given."""

    name: str
    sent: list[Notification] = field(default_factory=list)
    fail_with: ChannelError | None = None

    def send(self, n: Notification) -> SendResult:
        if self.fail_with:
            raise self.fail_with
        self.sent.append(n)
        return SendResult(provider_msgid=f"rec-{len(self.sent)}")
