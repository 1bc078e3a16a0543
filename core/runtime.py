"""`Runtime`: everything a request or a job needs, built once per process by `bootstrap`."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import redis
from flask import current_app
from rq import Queue, Retry
from sqlalchemy.engine import Engine

from core.bus import MessageBus, UnitOfWork
from core.logs import tag_job_meta

if TYPE_CHECKING:
    from config import Settings

QUEUE_NAME = "ops"
# State-changing chat commands: every worker takes this queue before QUEUE_NAME, so a command never
# waits behind chit-chat or notifications.
PRIORITY_QUEUE_NAME = "ops-priority"


@dataclass
class Runtime:
    """Settings, engine, Redis, job queue, the event bus and per-process services."""

    settings: Settings
    _engine: Engine
    redis: redis.Redis
    queue: Queue
    bus: MessageBus
    embedded_redis: bool = False
    # Served before `queue` by every worker (see PRIORITY_QUEUE_NAME); None = use `queue`.
    priority_queue: Queue | None = None
    # Channel adapters by name (notify), built from the features' declarations.
    channels: dict[str, Any] = field(default_factory=dict)
    # /healthz checks by name, from the features' declarations.
    health_checks: dict[str, Callable[[Runtime], dict]] = field(default_factory=dict)
    # Per-process services and caches that features keep (MQTT client, lookup caches).
    extras: dict = field(default_factory=dict)
    _pid: int = field(default_factory=os.getpid)

    @property
    def engine(self) -> Engine:
        # A forked RQ work horse must not reuse the parent's pooled connections.
        if os.getpid() != self._pid:
            self._engine.dispose(close=False)
            self._pid = os.getpid()
        return self._engine

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.engine, self.bus, runtime=self)

    def enqueue(self, func: Callable, *args, retry: Retry | None = None, job_id: str | None = None,
                priority: bool = False, **kwargs):
        """Queue a job (runs at once, in this thread, when jobs run inline); `priority` jumps the queue."""
        queue = self.priority_queue if priority and self.priority_queue is not None else self.queue
        meta = tag_job_meta(kwargs.pop("meta", None))  # the request that queued it (core/logs.py)
        if meta is not None:
            kwargs["meta"] = meta
        return queue.enqueue(func, *args, retry=retry, job_id=job_id, **kwargs)


def current_runtime() -> Runtime:
    """The runtime of the Flask app in context (requests, CLI commands and jobs)."""
    return current_app.extensions["ops"]
