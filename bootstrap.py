"""The one place that picks adapters: database, Redis, job queue, event handlers.

`build_runtime(settings)` is called by `create_app()`; nothing here runs at import.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field

import redis
from flask import current_app
from rq import Queue, Retry
from sqlalchemy.engine import Engine

from config import Settings
from orders.bus import MessageBus, UnitOfWork
from orders.db import make_engine

log = logging.getLogger(__name__)

QUEUE_NAME = "ops"
# Each feature package has a `wiring` module that may define:
#   MODELS: list of its table modules (migrations and tests load them all)
#   register(bus, runtime): add event handlers to the one handler table
#   init_app(app): blueprints, health checks
#   CRON: list of worker.CronEntry, run by exactly one process
#   start(app): a background service of `ops run` (MQTT client, robot long connection)
FEATURES = [
    "orders.wiring",
    "accounts.wiring",
    "notify.wiring",
    "workcal.wiring",
    "alerts.wiring",
    "nextsteps.wiring",
    "bot.wiring",
    "logistics.wiring",
    "devices.wiring",
    "web.wiring",
]


def features() -> list:
    """The wiring modules of every feature package, in order."""
    import importlib

    return [importlib.import_module(name) for name in FEATURES]


@dataclass
class Runtime:
    """Everything a request or a job needs, built once per process."""

    settings: Settings
    _engine: Engine
    redis: redis.Redis
    queue: Queue
    bus: MessageBus
    embedded_redis: bool = False
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
                **kwargs):
        """Queue a job (runs at once, in this thread, when jobs run inline)."""
        return self.queue.enqueue(func, *args, retry=retry, job_id=job_id, **kwargs)


def make_redis(settings: Settings) -> tuple[redis.Redis, bool]:
    """Real Redis from REDIS_URL, else an embedded in-process one (single process only)."""
    if settings.redis_url:
        return redis.Redis.from_url(settings.redis_url, socket_connect_timeout=3, health_check_interval=30), False
    import fakeredis

    return fakeredis.FakeRedis(server=fakeredis.FakeServer()), True


def build_runtime(settings: Settings, *, bus: MessageBus | None = None) -> Runtime:
    """Create engine, Redis, queue and the event-handler table for one process."""
    engine = make_engine(settings.database_url)
    conn, embedded = make_redis(settings)
    queue = Queue(QUEUE_NAME, connection=conn, is_async=not settings.run_jobs_inline)
    runtime = Runtime(settings, engine, conn, queue, bus or MessageBus(), embedded_redis=embedded)
    register_handlers(runtime)
    return runtime


def register_handlers(runtime: Runtime) -> None:
    """Fill the one table of event handlers from every feature that has some."""
    for feature in features():
        if hasattr(feature, "register"):
            feature.register(runtime.bus, runtime)


def load_models() -> None:
    """Import every table module so SQLModel.metadata knows the whole schema."""
    import importlib

    for feature in features():
        for module_name in getattr(feature, "MODELS", ()):
            importlib.import_module(module_name)


def current_runtime() -> Runtime:
    """The runtime of the Flask app in context (requests, CLI commands and jobs)."""
    return current_app.extensions["ops"]
