"""Wiring of web: admin blueprints, logins, the live board feed and demo logins."""

from __future__ import annotations

from flask import Blueprint, Flask, redirect

from orders.events import OrderEvent

MODELS: list[str] = []


def init_app(app: Flask) -> None:
    """Logins, CSRF helpers, optional-feature detection, and every admin blueprint."""
    from web import admin_logs, admin_master, auth, boards, live, orders_page, playground
    from web.features import init_features
    from web.ui import init_ui

    init_features(app)
    init_ui(app)
    auth.init_login(app)
    app.register_blueprint(Blueprint("admin_static", __name__, static_folder="static/admin",
                                     static_url_path="/admin/static"))
    for module in (auth, orders_page, boards, live, playground, admin_master, admin_logs):
        app.register_blueprint(module.bp)
    app.add_url_rule("/", "home", _home)
    _add_seed_extension()


def _home():
    """The site root opens the admin (which asks for a login first)."""
    return redirect("/admin/")


def register(bus, runtime) -> None:
    """Tell open boards about every committed order change (one message per order per commit)."""
    from web.live import on_order_event

    bus.register(OrderEvent, on_order_event(runtime))


def _add_seed_extension() -> None:
    """Demo logins (admin / sales / planner / warehouse …, password demo1234) with the demo factory."""
    try:
        from orders import seed
    except ImportError:
        return
    extensions = getattr(seed, "SEED_EXTENSIONS", None)
    if extensions is None:
        return
    from web.demo_users import create_demo_users

    if create_demo_users not in extensions:
        extensions.append(create_demo_users)
