"""Who makes a change, and from where."""

from __future__ import annotations

from dataclasses import dataclass, field

from orders import texts
from orders.roles import Role

SOURCES = ("chat", "card", "web", "scan", "api", "import", "rule", "customer")  # card: a WeCom template card button; customer: the ordering link


@dataclass(frozen=True)
class Actor:
    """A person (or the system) acting through one source."""

    name: str
    source: str
    roles: frozenset[Role] = field(default_factory=frozenset)
    userid: str | None = None
    staff_id: int | None = None

    def __post_init__(self):
        if self.source not in SOURCES:
            raise ValueError(f"unknown source {self.source!r}")


@dataclass(frozen=True)
class Trace:
    """Where a change came from beyond the actor: device, climate, inbound message."""

    device_id: str | None = None
    temperature: float | None = None
    humidity: float | None = None
    inbound_message_id: int | None = None
    note: str = ""


SYSTEM_RULE = Actor(name=texts.SYSTEM_RULE_NAME, source="rule", roles=frozenset({Role.SYSTEM}))
