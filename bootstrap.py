"""The one place that knows every feature and picks adapters: database, Redis, job queue, handlers.

`build_runtime(settings)` is called by `create_app()`; nothing here runs at import beyond
importing the features' declarations. Order matters: handlers of one event run in this order.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import redis
from rq import Queue

from accounts.wiring import FEATURE as ACCOUNTS
from alerts.wiring import FEATURE as ALERTS
from backups.wiring import FEATURE as BACKUPS
from bot.wiring import FEATURE as BOT
from config import Settings
from core.bus import MessageBus
from core.db import make_engine
from core.feature import CronEntry, Feature, SeedStep
from core.runtime import PRIORITY_QUEUE_NAME, QUEUE_NAME, Runtime
from custgroups.wiring import FEATURE as CUSTGROUPS
from dataio.wiring import FEATURE as DATAIO
from devices.wiring import FEATURE as DEVICES
from insight.wiring import FEATURE as INSIGHT
from logistics.wiring import FEATURE as LOGISTICS
from nextsteps.wiring import FEATURE as NEXTSTEPS
from notify.wiring import FEATURE as NOTIFY
from orders.wiring import FEATURE as ORDERS
from shop.wiring import FEATURE as SHOP
from web.wiring import FEATURE as WEB
from workcal.wiring import FEATURE as WORKCAL

log = logging.getLogger(__name__)

FEATURES: tuple[Feature, ...] = (ORDERS, ACCOUNTS, NOTIFY, WORKCAL, ALERTS, NEXTSTEPS, BOT, CUSTGROUPS, LOGISTICS,
                                 DEVICES, INSIGHT, DATAIO, SHOP, WEB, BACKUPS)


def handler_table(features: tuple[Feature, ...] = FEATURES) -> dict[type, list[Callable]]:
    """The ONE table of event handlers: event class -> handlers in run order (feature order)."""
    table: dict[type, list[Callable]] = {}
    for feature in features:
        for event_type, handlers in feature.handlers.items():
            table.setdefault(event_type, []).extend(handlers)
    return table


def format_handler_table(features: tuple[Feature, ...] = FEATURES) -> str:
    """`ops handlers`: each event class with the handlers that run for it, including those
    registered for its base classes (a handler of OrderEvent sees every order event)."""
    from orders import events as order_events

    table = handler_table(features)
    lines = []
    events = [cls for cls in vars(order_events).values()
              if isinstance(cls, type) and cls.__module__ == order_events.__name__]
    events += [cls for cls in table if cls not in events]
    for event_type in events:
        found = [h for cls in event_type.__mro__ for h in table.get(cls, ())]
        lines.append(f"{event_type.__name__}")
        if not found:
            lines.append("    (no handlers)")
        for handler in found:
            lines.append(f"    {handler.__module__}.{handler.__qualname__}")
    return "\n".join(lines)


def cron_entries(features: tuple[Feature, ...] = FEATURES) -> list[CronEntry]:
    """Scheduled jobs of every feature, run by exactly one process (worker.py)."""
    return [entry for f in features for entry in f.cron]


def seed_steps(features: tuple[Feature, ...] = FEATURES) -> list[SeedStep]:
    """Each feature's own rows of the demo factory, in feature order."""
    return [f.seed for f in features if f.seed is not None]


def seed_demo(runtime: Runtime, *, force: bool = False, now=None) -> bool:
    """Load the demo factory with every feature's own demo rows; True when it loaded."""
    from demo.factory import seed_if_empty

    return seed_if_empty(runtime, seed_steps(), force=force, now=now)


def load_models() -> list:
    """The table modules of every feature; importing this module already loaded them all, so
    SQLModel.metadata knows the whole schema (migrations, tests)."""
    return [module for f in FEATURES for module in f.models]


def make_redis(settings: Settings) -> tuple[redis.Redis, bool]:
    """Real Redis from REDIS_URL, else an embedded in-process one (single process only)."""
    if settings.redis_url:
        return redis.Redis.from_url(settings.redis_url, socket_connect_timeout=3, health_check_interval=30), False
    import fakeredis

    return fakeredis.FakeRedis(server=fakeredis.FakeServer()), True


def build_runtime(settings: Settings, *, bus: MessageBus | None = None) -> Runtime:
    """Create engine, Redis, queue, the handler table, channels and health checks for one process."""
    engine = make_engine(settings.database_url)
    conn, embedded = make_redis(settings)
    queue = Queue(QUEUE_NAME, connection=conn, is_async=not settings.run_jobs_inline)
    priority = Queue(PRIORITY_QUEUE_NAME, connection=conn, is_async=not settings.run_jobs_inline)
    bus = bus or MessageBus()
    for event_type, handlers in handler_table().items():
        bus.handlers[event_type].extend(handlers)
    runtime = Runtime(settings, engine, conn, queue, bus, embedded_redis=embedded, priority_queue=priority)
    for feature in FEATURES:
        runtime.health_checks.update(feature.health_checks)
        if feature.channels is not None:
            runtime.channels.update(feature.channels(runtime))
    return runtime


def init_app(app) -> None:
    """Blueprints, commands and app-level set-up of every feature, then the API."""
    from api import init_app as init_api

    for feature in FEATURES:
        for blueprint in feature.blueprints:
            app.register_blueprint(blueprint)
        for command in feature.commands:
            app.cli.add_command(command)
        if feature.init_app is not None:
            feature.init_app(app)
    init_api(app, [blp for f in FEATURES for blp in f.api_blueprints])


def warm_up(runtime: Runtime) -> None:
    """Load every feature's per-process state (parser dictionaries …) now, not in the first job."""
    for feature in FEATURES:
        if feature.warm_up is not None:
            feature.warm_up(runtime)


def start_services(app) -> list:
    """The background services of `ops run` (MQTT client, robot long connection)."""
    return [feature.start(app) for feature in FEATURES if feature.start is not None]
