"""Session hardening of the web admin: cookie flags, reverse proxy, security headers, idle timeout,
and login throttling (per account and per client address, failures only, on `limits`, Flask-Limiter's engine)."""

from __future__ import annotations

import logging
import math
import time

from flask import Flask, has_request_context, request, session
from flask.sessions import SecureCookieSessionInterface
from limits import parse_many
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter
from werkzeug.middleware.proxy_fix import ProxyFix

from core.runtime import Runtime

log = logging.getLogger(__name__)

SEEN_KEY = "_seen"  # unix seconds of the session's last request
SEEN_GRANULARITY = 60  # the cookie is rewritten at most once a minute just to say "still here"
ADMIN_CSP = "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"


class SessionCookies(SecureCookieSessionInterface):
    """Flask's signed cookie session, marked Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or (has_request_context() and request.is_secure)


def init_sessions(app: Flask, rt: Runtime) -> None:
    """Cookie flags, ProxyFix for trusted proxies, admin security headers, the login throttle."""
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"  # Flask's own default (None) made setdefault a no-op
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    if rt.settings.public_base_url.startswith("https://") and not rt.settings.public_base_url_defaulted:
        app.config["SESSION_COOKIE_SECURE"] = True
    app.session_interface = SessionCookies()
    hops = rt.settings.web.trusted_proxy_hops
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)
    app.after_request(_admin_headers)
    app.extensions["ops_login_throttle"] = LoginThrottle(rt)


def _admin_headers(response):
    if request.path.startswith("/admin"):
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Content-Security-Policy", ADMIN_CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def idle_expired(limit_minutes: float, now: float | None = None) -> bool:
    """True when this session's last request is older than the idle limit; else notes this request."""
    now = int(now if now is not None else time.time())
    seen = session.get(SEEN_KEY)
    if isinstance(seen, int) and now - seen > limit_minutes * 60:
        return True
    if not isinstance(seen, int) or now - seen >= SEEN_GRANULARITY:
        session[SEEN_KEY] = now
    return False


class LoginThrottle:
    """Failed sign-ins counted per account and per client address; a blocked key waits out its window."""

    def __init__(self, rt: Runtime):
        uri = rt.settings.redis_url if rt.settings.redis_url and not rt.embedded_redis else "memory://"
        self.limiter = FixedWindowRateLimiter(storage_from_string(uri))
        self.per_account = parse_many(rt.settings.web.login_rate_account)
        self.per_ip = parse_many(rt.settings.web.login_rate_ip)

    def _keys(self, username: str, address: str | None):
        account = username.strip().lower()[:64]
        return [(item, "ops-login", "user", account) for item in self.per_account] + \
               [(item, "ops-login", "ip", address or "-") for item in self.per_ip]

    def blocked_for(self, username: str, address: str | None) -> int:
        """Seconds until another attempt is allowed (0: allowed now)."""
        wait = 0
        try:
            for item, *key in self._keys(username, address):
                if not self.limiter.test(item, *key):
                    reset = self.limiter.get_window_stats(item, *key).reset_time
                    wait = max(wait, math.ceil(reset - time.time()), 1)
        except Exception:  # counters unavailable: sign-in still works, the log says why
            log.warning("login throttle unavailable", exc_info=True)
            return 0
        return wait

    def failed(self, username: str, address: str | None) -> None:
        """Count one failed sign-in."""
        try:
            for item, *key in self._keys(username, address):
                self.limiter.hit(item, *key)
        except Exception:
            log.warning("login throttle unavailable", exc_info=True)
