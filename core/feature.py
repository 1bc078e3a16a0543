"""The typed declaration each feature package exports as `FEATURE` from its `wiring.py`.

`bootstrap` imports every feature statically and builds from these declarations the one
handler table, the blueprints, the health checks, the cron, the channel adapters, the demo
seed steps and the background services. No feature registers itself into another's globals.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from core.bus import UnitOfWork
    from core.events import Event
    from core.runtime import Runtime

# An event handler: (event, unit of work) -> None; the runtime is `uow.runtime`. It runs inside the transaction.
Handler = Callable[["Event", "UnitOfWork"], None]
# A /healthz check: runtime -> {"ok": bool, ...}.
HealthCheck = Callable[["Runtime"], dict]
# A demo-seed step: (session, created) -> None, run after the demo orders exist.
SeedStep = Callable[[Any, dict], None]


@dataclass(frozen=True)
class CronEntry:
    """A scheduled job, run by exactly one process (the cron leader)."""

    func: Callable
    interval: int | None = None  # seconds
    cron: str | None = None  # a crontab line, evaluated in UTC by RQ


@dataclass(frozen=True)
class Feature:
    """What one feature package contributes to the running system."""

    name: str
    models: Sequence[ModuleType] = ()
    handlers: dict[type, list[Handler]] = field(default_factory=dict)
    blueprints: Sequence[Any] = ()  # Flask blueprints
    api_blueprints: Sequence[Any] = ()  # flask-smorest blueprints
    health_checks: dict[str, HealthCheck] = field(default_factory=dict)
    cron: Sequence[CronEntry] = ()
    commands: Sequence[Any] = ()  # click commands added to `ops`
    channels: Callable[[Runtime], dict] | None = None  # channel adapters by name
    seed: SeedStep | None = None  # its part of the demo factory
    init_app: Callable[[Any], None] | None = None  # app-level set-up beyond blueprints
    start: Callable[[Any], Any] | None = None  # a background service of `ops run`
    # Load what its jobs/requests need once per process, before a worker forks (no I/O: no connections).
    warm_up: Callable[[Runtime], None] | None = None
