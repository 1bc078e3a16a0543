"""Our own send-rate limits, shared by every process through Redis (sliding windows).

WeCom drops app messages over 30 a minute / 1,000 an hour per member silently and
answers 45009 to a robot over 20 a minute, so we count before we send and, when over,
tell the outbox how long to wait instead of sending.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

import redis

ROBOT_LIMITS = ((20, 60.0),)
APP_USER_LIMITS = ((30, 60.0), (1000, 3600.0))


class SlidingWindow:
    """At most `limit` sends per `window` seconds for each key, for every (limit, window)."""

    def __init__(self, conn: redis.Redis, prefix: str, limits: tuple[tuple[int, float], ...],
                 clock: Callable[[], float] = time.time):
        self.conn, self.prefix, self.limits, self.clock = conn, prefix, limits, clock
        self.longest = max(window for _, window in limits)

    def acquire(self, key: str) -> float:
        """Take one slot for `key`: 0 when taken, else the seconds until one frees up."""
        rkey = f"{self.prefix}:{key}"
        with self.conn.pipeline() as p:
            for _ in range(50):
                try:
                    p.watch(rkey)
                    now = self.clock()
                    stamps = [score for _, score in p.zrangebyscore(rkey, now - self.longest, "+inf",
                                                                    withscores=True)]
                    wait = self.wait_time(stamps, now)
                    if wait > 0:
                        p.unwatch()
                        return wait
                    p.multi()
                    p.zremrangebyscore(rkey, "-inf", now - self.longest)
                    p.zadd(rkey, {f"{now:.6f}:{uuid.uuid4().hex[:8]}": now})
                    p.expire(rkey, int(self.longest) + 5)
                    p.execute()
                    return 0.0
                except redis.WatchError:
                    continue
        return 1.0  # heavy contention: let the caller come back shortly

    def wait_time(self, stamps: list[float], now: float) -> float:
        """Seconds until every window has room for one more send (0 when it has now)."""
        wait = 0.0
        for limit, window in self.limits:
            inside = sorted(t for t in stamps if t > now - window)
            if len(inside) >= limit:
                wait = max(wait, inside[len(inside) - limit] + window - now)
        return wait
