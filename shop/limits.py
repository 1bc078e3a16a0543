"""Rate limits of the ordering link: every request per link and per client address, submissions per link.

Counted with `limits` (Flask-Limiter's engine) on the runtime's Redis, in memory with the embedded one.
Keys carry the token's hash, never the token. When the counters are unreachable the page still works
(the log says why): a Redis outage must not stop customers ordering.
"""

from __future__ import annotations

import logging
import math
import time

from limits import parse_many
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from core.runtime import Runtime

log = logging.getLogger(__name__)
PREFIX = "ops-shop"


class ShopLimiter:
    """Fixed-window counters of the ordering link."""

    def __init__(self, rt: Runtime):
        uri = rt.settings.redis_url if rt.settings.redis_url and not rt.embedded_redis else "memory://"
        self.limiter = FixedWindowRateLimiter(storage_from_string(uri))
        self.per_link = parse_many(rt.settings.shop.rate_link)
        self.per_ip = parse_many(rt.settings.shop.rate_ip)
        self.submits = parse_many(rt.settings.shop.submit_rate_link)

    def _hit_all(self, keys: list[tuple]) -> int:
        """Count one hit on every key; seconds to wait when one is over its limit (0: allowed)."""
        wait = 0
        try:
            for item, *key in keys:
                if not self.limiter.hit(item, PREFIX, *key):
                    reset = self.limiter.get_window_stats(item, PREFIX, *key).reset_time
                    wait = max(wait, math.ceil(reset - time.time()), 1)
        except Exception:  # counters unavailable: keep serving
            log.warning("ordering-link rate limit unavailable", exc_info=True)
            return 0
        return wait

    def request(self, link_key: str, address: str | None) -> int:
        """One request on a link from an address."""
        return self._hit_all([(i, "link", link_key) for i in self.per_link] +
                             [(i, "ip", address or "-") for i in self.per_ip])

    def picture(self, link_key: str, address: str | None) -> int:
        """One product-picture request: own counters (same limits), so a page's thumbnails don't eat its budget;
        the pictures are cached privately by the browser, so reloads do not count again."""
        return self._hit_all([(i, "pic-link", link_key) for i in self.per_link] +
                             [(i, "pic-ip", address or "-") for i in self.per_ip])

    def submit(self, link_key: str) -> int:
        """One order submission on a link."""
        return self._hit_all([(i, "submit", link_key) for i in self.submits])
