"""`GET /t/<token>`: the public, mobile-first customer tracking page of one order.

Unknown, revoked and expired tokens all get the very same 404 page. Each IP is rate-limited
(Flask-Limiter on the runtime's Redis; in-memory with the embedded Redis). Every answer says
no-referrer, noindex and no-store, so the token leaks neither to other sites nor to caches.
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response, make_response, render_template
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from core.runtime import Runtime, current_runtime
from logistics import texts
from logistics.tokens import find_valid, record_view
from logistics.views import tracking_page
from orders.models import Order

SECURITY_HEADERS = {
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; "
                               "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
}


def _secure(resp: Response) -> Response:
    resp.headers.update(SECURITY_HEADERS)
    return resp


def not_found() -> Response:
    """The one 404 answer for every token that does not open a page."""
    return _secure(make_response(render_template("tracking/not_found.html", title=texts.NOT_FOUND_TITLE,
                                                 text=texts.NOT_FOUND_TEXT), 404))


def too_many(_limit=None) -> Response:
    return _secure(make_response(render_template("tracking/not_found.html", title=texts.TOO_MANY_TITLE,
                                                 text=texts.TOO_MANY_TEXT), 429))


def show(token: str):
    """The page of the order behind a valid token; counts the view."""
    rt = current_runtime()
    with rt.uow() as uow:
        row = find_valid(uow.session, token)
        order = uow.session.get(Order, row.order_id) if row else None
        if order is None:
            return not_found()
        page = tracking_page(uow.session, order, rt.settings.tz, rt.settings.logistics.company_name or texts.DEFAULT_COMPANY)
        record_view(uow.session, row.id, order.status)
        uow.commit()
    return _secure(make_response(render_template("tracking/page.html", p=page)))


def limiter_storage(rt: Runtime) -> str:
    """The runtime's Redis for counters; memory with the embedded (in-process) Redis."""
    return rt.settings.redis_url if rt.settings.redis_url and not rt.embedded_redis else "memory://"


def init_tracking(app: Flask, rt: Runtime) -> Limiter:
    """Register the tracking blueprint with its per-IP limit on `app`."""
    limiter = Limiter(get_remote_address, app=app, storage_uri=limiter_storage(rt), key_prefix="ops-track",
                      strategy="fixed-window", headers_enabled=False, swallow_errors=True)
    bp = Blueprint("tracking", __name__, template_folder="templates", static_folder="static",
                   static_url_path="/t/_static")
    view = limiter.limit(rt.settings.logistics.tracking_rate_limit, on_breach=too_many)(show)
    bp.add_url_rule("/t/<token>", "page", view, methods=["GET"])
    bp.after_request(_secure)
    app.register_blueprint(bp)
    app.extensions["ops_tracking_limiter"] = limiter
    return limiter
