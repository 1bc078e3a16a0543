"""Outages of Redis and the database as a long-running process (`ops worker`) sees them: logged once
when they begin and once when they end, waited out with capped exponential back-off, never fatal."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import redis
from sqlalchemy import exc as sa_exc

log = logging.getLogger("ops.outage")

FIRST_DELAY = 0.25
MAX_DELAY = 5.0  # seconds: work resumes at most this long after the dependency is back


class Outage:
    """One dependency's outage state in this process."""

    def __init__(self, name: str, is_failure: Callable[[BaseException | None], bool]):
        self.name, self.is_failure = name, is_failure
        self.since: float | None = None
        self._lock = threading.Lock()

    @property
    def is_down(self) -> bool:
        return self.since is not None

    def failed(self, exc: BaseException | None) -> bool:
        """True when `exc` means the dependency is unreachable (not a bug)."""
        return self.is_failure(exc)

    def down(self, detail) -> None:
        """Note a failure; logs only the first of an outage."""
        with self._lock:
            if self.since is None:
                self.since = time.monotonic()
                text = f"{type(detail).__name__}: {detail}" if isinstance(detail, BaseException) else str(detail)
                log.warning("%s unreachable (%s); waiting for it with back-off up to %.0f s", self.name,
                            text[:300], MAX_DELAY)

    def up(self, started: float | None = None) -> None:
        """Note a success; logs the end of an outage. `started` (time.monotonic()) is when the successful
        call began: one that began before the outage was noticed (a reply already on its way) proves nothing."""
        if self.since is None:
            return
        with self._lock:
            if self.since is not None and (started is None or started >= self.since):
                log.warning("%s reachable again after %.1f s", self.name, time.monotonic() - self.since)
                self.since = None


def is_db_outage(exc: BaseException | None) -> bool:
    """A database error that says the server is away (not a bad statement)."""
    if isinstance(exc, sa_exc.OperationalError | sa_exc.InterfaceError):
        return True
    return isinstance(exc, sa_exc.DBAPIError) and bool(exc.connection_invalidated)


def is_redis_outage(exc: BaseException | None) -> bool:
    """A Redis error that says the server is away."""
    return isinstance(exc, redis.exceptions.ConnectionError | redis.exceptions.TimeoutError | ConnectionError)


REDIS = Outage("Redis", is_redis_outage)
DB = Outage("database", is_db_outage)


def wait_until(outage: Outage, check: Callable[[], object], *, stop: threading.Event | None = None,
               heartbeat: Callable[[], None] | None = None) -> bool:
    """Block until `check()` succeeds (or `stop` is set), backing off; True when it failed at least once."""
    delay, failed = FIRST_DELAY, False
    while stop is None or not stop.is_set():
        started = time.monotonic()
        try:
            check()
        except Exception as exc:
            if not outage.failed(exc):
                raise
            outage.down(exc)
            failed = True
            if heartbeat is not None:
                heartbeat()
            if stop is not None:
                stop.wait(delay)
            else:
                time.sleep(delay)
            delay = min(delay * 2, MAX_DELAY)
            continue
        outage.up(started)
        break
    return failed


def wait_for_redis(rt, *, stop: threading.Event | None = None) -> bool:
    """Wait until the runtime's Redis answers PING; True when it did not at first."""
    return wait_until(REDIS, rt.redis.ping, stop=stop)


def wait_for_db(rt, *, stop: threading.Event | None = None, heartbeat: Callable[[], None] | None = None) -> bool:
    """Wait until the database answers SELECT 1; True when it did not at first."""

    def ping():
        with rt.engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")

    return wait_until(DB, ping, stop=stop, heartbeat=heartbeat)


class QuietRedisLog(logging.Filter):
    """RQ logs every reconnect attempt and a traceback when Redis goes away; keep one line per outage."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        text = str(record.msg)
        if "could not connect to Redis" in text or "Redis connection timeout" in text or REDIS.failed(exc):
            # RQ's own text says "quitting", which this process does not do: name the outage in our words
            REDIS.down(exc if exc is not None else "connection lost (noticed by the RQ worker)")
            return False
        return True
