"""Wiring of web: health, metrics, request ids, logins, admin pages and boards, the live board feed, the tracking page,
demo logins."""

from __future__ import annotations

from flask import Blueprint, Flask, redirect

from core.feature import Feature
from orders.events import OrderEvent
from web import (
    admin_data,
    admin_groups,
    admin_import,
    admin_insight,
    admin_logs,
    admin_master,
    admin_receiving,
    admin_shop,
    auth,
    boards,
    health,
    live,
    metrics,
    order_entry,
    order_print,
    orders_page,
    playground,
    todo,
)
from web.demo_users import create_demo_users
from web.observability import init_observability
from web.tracking import init_tracking
from web.ui import init_ui


def init_app(app: Flask) -> None:
    """Request ids and counts, template helpers, logins, the admin's static files, the site root, the
    tracking page."""
    init_observability(app)  # first: its request id is on every later hook's log lines
    init_ui(app)
    auth.init_login(app)
    app.register_blueprint(Blueprint("admin_static", __name__, static_folder="static/admin",
                                     static_url_path="/admin/static"))
    app.add_url_rule("/", "home", _home)
    init_tracking(app, app.extensions["ops"])


def _home():
    """The site root opens the admin (which asks for a login first)."""
    return redirect("/admin/")


FEATURE = Feature(
    name="web",
    handlers={OrderEvent: [live.publish_order_change]},
    blueprints=[health.bp, auth.bp, todo.bp, order_entry.bp, orders_page.bp, boards.bp, live.bp, playground.bp, admin_master.bp,
                admin_receiving.bp, admin_import.bp, admin_logs.bp, admin_insight.bp, admin_data.bp,
                order_print.bp, admin_groups.bp, admin_shop.bp, metrics.bp],
    init_app=init_app,
    seed=create_demo_users,
)
