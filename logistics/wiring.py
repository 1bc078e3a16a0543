"""Wiring of logistics: tables, the OrderShipped handler, Kuaidi100/bridge endpoints, API, font check."""

from __future__ import annotations

from core.feature import Feature
from core.runtime import Runtime
from logistics import models
from logistics.api import blp
from logistics.endpoints import bp
from logistics.jobs import on_order_shipped, on_waybill_changed
from notify.fonts import CjkFontMissing, find_cjk_font
from orders.events import OrderShipped, WaybillChanged


def notice_font_check(rt: Runtime) -> dict:
    """/healthz: can shipping notices draw Chinese on this machine?"""
    try:
        return {"ok": True, "font": str(find_cjk_font(rt.settings.notify.cjk_font))}
    except CjkFontMissing as exc:
        return {"ok": False, "error": str(exc)}


FEATURE = Feature(
    name="logistics",
    models=[models],
    handlers={OrderShipped: [on_order_shipped], WaybillChanged: [on_waybill_changed]},
    blueprints=[bp],
    api_blueprints=[blp],
    health_checks={"notice_font": notice_font_check},
)
