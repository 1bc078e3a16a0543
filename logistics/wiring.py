"""Wiring of logistics: tables, the OrderShipped handler, Kuaidi100/bridge endpoints, API, tracking page."""

from __future__ import annotations

from functools import partial

from flask import Flask

MODELS = ["logistics.models"]


def register(bus, runtime) -> None:
    """Every transition to shipped (chat, web, scan, API) gets a notice and a default ETA."""
    from logistics.jobs import on_order_shipped
    from orders.events import OrderShipped

    bus.register(OrderShipped, partial(on_order_shipped, rt=runtime))


def init_app(app: Flask) -> None:
    """Inbound endpoints, the tracking page, and the API blueprint (before api.init_app runs)."""
    from api import registry
    from logistics.api import blp
    from logistics.endpoints import bp
    from web.health import CHECKS
    from web.tracking import init_tracking

    app.register_blueprint(bp)
    init_tracking(app, app.extensions["ops"])
    if blp not in registry.BLUEPRINTS:
        registry.BLUEPRINTS.append(blp)
    CHECKS["notice_font"] = notice_font_check


def notice_font_check(rt) -> dict:
    """/healthz: can shipping notices draw Chinese on this machine?"""
    from logistics import options
    from notify.fonts import CjkFontMissing, find_cjk_font

    try:
        return {"ok": True, "font": str(find_cjk_font(options.cjk_font(rt)))}
    except CjkFontMissing as exc:
        return {"ok": False, "error": str(exc)}
