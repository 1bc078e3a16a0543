"""Every request: an id, one log line, one count.

The id comes from the `X-Request-ID` header (a proxy's or a client's) when it is a sane token, else a new
one; it is sent back in `X-Request-ID`, printed on every log line of the request (core/logs.py), and
written into the RQ meta of every job the request queues, so the worker's lines for those jobs carry it
too. One line per request (method, path without the query, status, milliseconds) replaces gunicorn's access log; a
`/metrics` scrape is logged at debug level, so a scraped but idle system stays quiet. The count goes to
Redis (core/metrics.py), the same for every gunicorn worker.
"""

from __future__ import annotations

import logging
import time

from flask import Flask, g, request

from core.logs import REQUEST_ID, new_request_id
from core.metrics import count_request
from core.runtime import current_runtime

log = logging.getLogger("ops.request")
QUIET_PATHS = frozenset({"/metrics"})


def init_observability(app: Flask) -> None:
    """Request id, the request line and the request count, for every request of the app."""
    app.before_request(_begin)
    app.after_request(_finish)
    app.teardown_request(_forget)


def _begin() -> None:
    g.request_started = time.perf_counter()
    g.request_id = new_request_id(request.headers.get("X-Request-ID"))
    g.request_id_token = REQUEST_ID.set(g.request_id)


def _finish(response):
    rid = g.get("request_id")
    if rid is None:  # a before_request hook answered before ours ran
        return response
    response.headers["X-Request-ID"] = rid
    ms = (time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000
    endpoint = request.endpoint or "unmatched"
    level = logging.DEBUG if request.path in QUIET_PATHS else logging.INFO
    log.log(level, "%s %s %s %.1fms", request.method, _shown_path(), response.status_code, ms)
    count_request(current_runtime().redis, endpoint, request.method, response.status_code)
    return response


def _shown_path() -> str:
    """The path without its query (signatures, filters); a route that carries a secret (the customer's
    tracking token) is shown as its rule."""
    rule = request.url_rule
    if rule is not None and "<token>" in rule.rule:
        return rule.rule
    return request.path[:300]


def _forget(_exc) -> None:
    token = g.pop("request_id_token", None)
    if token is not None:
        REQUEST_ID.reset(token)
