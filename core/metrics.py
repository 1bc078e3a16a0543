"""Figures that many processes add to, kept in Redis so `/metrics` is the same from every process.

`ops serve` runs several gunicorn workers and `ops worker` several job processes; a counter in one
process's memory would show a different number on every scrape. So what processes add to lives here,
in Redis hashes (request counts gathered per process and sent at most once a second; atomic HINCRBY, and
they survive a worker restart), and what
can be counted where it lives (queues, backlog, outbox) is counted at scrape time (web/metrics.py).
Writes never raise: a figure is not worth a failed request or job.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time

log = logging.getLogger(__name__)

PREFIX = "ops:metrics:"
REQUESTS = PREFIX + "requests"  # hash "endpoint|method|status" -> count
STREAMS = PREFIX + "streams:"  # + "<host>:<pid>" -> open live streams of that process (expires)
STREAMS_TTL = 60  # seconds a process's figure outlives its last report (a killed process drops out)
# Alert sweep duration buckets in seconds (its budget is 40 s by default).
SWEEP_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 40.0, 60.0)
SWEEP = PREFIX + "alert_sweep"  # hash: last, last_at, sum, count, le:<bound> (cumulative)


FLUSH_SECONDS = 1.0  # a process's request counts reach Redis within this long (and before its own scrapes)
_pending: dict[str, int] = {}
_pending_lock = threading.Lock()
_flush_timer: list[threading.Timer | None] = [None]


def count_request(redis, endpoint: str, method: str, status: int) -> None:
    """One more request of this endpoint, method and status.

    Counted in this process's memory; a timer sends what gathered to Redis in one pipeline FLUSH_SECONDS
    later. A Redis round trip per request would cost the robot callback a good part of its time
    (bench/bot_bench.py). A process killed hard loses at most its last second of counts.
    """
    key = f"{endpoint}|{method}|{status}"
    with _pending_lock:
        _pending[key] = _pending.get(key, 0) + 1
        if _flush_timer[0] is None:
            timer = threading.Timer(FLUSH_SECONDS, _timed_flush, args=(redis,))
            timer.daemon = True
            _flush_timer[0] = timer
            timer.start()


def _timed_flush(redis) -> None:
    with _pending_lock:
        _flush_timer[0] = None
    flush_requests(redis)


def flush_requests(redis) -> None:
    """Send this process's unsent request counts to Redis (kept for the next try when Redis is away)."""
    with _pending_lock:
        batch = dict(_pending)
        _pending.clear()
    if not batch:
        return
    try:
        pipe = redis.pipeline(transaction=False)
        for key, n in batch.items():
            pipe.hincrby(REQUESTS, key, n)
        pipe.execute()
    except Exception:  # Redis away: the request still gets its answer; the counts wait for the next flush
        log.debug("request counts not sent (Redis unavailable)", exc_info=True)
        with _pending_lock:
            for key, n in batch.items():
                _pending[key] = _pending.get(key, 0) + n


def request_counts(redis) -> dict[tuple[str, str, str], int]:
    """(endpoint, method, status) -> requests so far."""
    out = {}
    for key, value in redis.hgetall(REQUESTS).items():
        parts = key.decode().split("|")
        if len(parts) == 3:
            out[(parts[0], parts[1], parts[2])] = int(value)
    return out


def observe_sweep(redis, seconds: float, at: float | None = None) -> None:
    """Record one alert sweep's duration (last value and histogram)."""
    try:
        pipe = redis.pipeline(transaction=True)
        pipe.hset(SWEEP, mapping={"last": repr(seconds), "last_at": repr(at if at is not None else time.time())})
        pipe.hincrbyfloat(SWEEP, "sum", seconds)
        pipe.hincrby(SWEEP, "count", 1)
        for bound in SWEEP_BUCKETS:
            if seconds <= bound:
                pipe.hincrby(SWEEP, f"le:{bound}", 1)
        pipe.execute()
    except Exception:
        log.debug("sweep duration not recorded (Redis unavailable)", exc_info=True)


def sweep_figures(redis) -> dict | None:
    """{last, last_at, sum, count, buckets: [(bound, cumulative count)]}, None before the first sweep."""
    raw = {k.decode(): v.decode() for k, v in redis.hgetall(SWEEP).items()}
    if "count" not in raw:
        return None
    return {"last": float(raw.get("last", 0)), "last_at": float(raw.get("last_at", 0)),
            "sum": float(raw.get("sum", 0)), "count": int(raw["count"]),
            "buckets": [(b, int(raw.get(f"le:{b}", 0))) for b in SWEEP_BUCKETS]}


def report_open_streams(redis, count: int, hub: str = "") -> None:
    """This process's hub `hub` has `count` live streams open (kept STREAMS_TTL seconds unless reported again).
    One hub per process in production; tests run several apps, each with its hub, in one process."""
    try:
        redis.set(f"{STREAMS}{socket.gethostname()}:{os.getpid()}:{hub}", count, ex=STREAMS_TTL)
    except Exception:
        log.debug("open streams not reported (Redis unavailable)", exc_info=True)


def open_streams(redis) -> int:
    """Live streams open across every process that reported in the last STREAMS_TTL seconds."""
    keys = list(redis.scan_iter(match=STREAMS + "*", count=500))
    return sum(int(v) for v in redis.mget(keys) if v is not None) if keys else 0
