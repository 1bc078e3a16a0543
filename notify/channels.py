"""Channel adapters behind one tiny interface, and a test double that records sends."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from notify.models import Notification


class ChannelError(Exception):
    """A send failed; `retry` says whether trying again may help.

    `deferred` means "not sent yet, on purpose" (a rate limit): the outbox reschedules it
    after `retry_after` without counting an attempt, so throttling never loses a message.
    """

    def __init__(self, message: str, *, retry: bool = True, retry_after: float | None = None,
                 deferred: bool = False):
        super().__init__(message)
        self.retry = retry or deferred
        self.retry_after = retry_after
        self.deferred = deferred


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


@dataclass
class DisabledChannel:
    """A channel whose settings are missing: the outbox records its rows as skipped, with the reason."""

    name: str
    disabled_reason: str

    def send(self, n: Notification) -> SendResult:
        raise ChannelError(self.disabled_reason, retry=False)
