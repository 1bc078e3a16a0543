"""Wiring of the bot: tables, blueprints, the long-connection channel and client, catch-up cron, demo seed."""

from __future__ import annotations

import logging
import os

from bot.jobs import catch_up_inbound
from worker import CronEntry

log = logging.getLogger(__name__)

MODELS = ["bot.models"]
CRON = [CronEntry(func=catch_up_inbound, interval=60)]


def register(bus, runtime) -> None:
    """Refresh the parser lookups after a new order; the `aibot_ws` reply channel; the demo seed hook."""
    from bot.longconn import RobotSocketChannel
    from bot.lookup import lookup_cache
    from notify.outbox import channels_of
    from orders.events import OrderCreated

    cache = lookup_cache(runtime)
    bus.register(OrderCreated, lambda event, uow: uow.after_commit(cache.invalidate))
    if runtime.settings.wecom_bot_mode == "longconn":
        channels_of(runtime)["aibot_ws"] = RobotSocketChannel(runtime)
    _add_seed_extension()


def _add_seed_extension() -> None:
    from bot.seed import seed_chat_identities
    from orders import seed

    extensions = getattr(seed, "SEED_EXTENSIONS", None)
    if extensions is not None and seed_chat_identities not in extensions:
        extensions.append(seed_chat_identities)


def init_app(app) -> None:
    """The WeCom callbacks, the bridge, and a health line for the robot's long connection."""
    from bot.bridge import bp as bridge_bp
    from bot.wecom import bp as wecom_bp
    from web.health import CHECKS

    app.register_blueprint(wecom_bp)
    app.register_blueprint(bridge_bp)
    CHECKS.setdefault("wecom_bot_longconn", _longconn_health)


def _longconn_health(rt) -> dict:
    if rt.settings.wecom_bot_mode != "longconn":
        return {"ok": True, "mode": rt.settings.wecom_bot_mode}
    client = rt.extras.get("bot.longconn")
    return {"ok": bool(client and client.connected), "mode": "longconn",
            "connections": client.connections if client else 0}


def start(app):
    """`ops run`: open the robot's long connection when WECOM_BOT_MODE=longconn."""
    rt = app.extensions["ops"]
    s = rt.settings
    if s.wecom_bot_mode != "longconn":
        return None
    if not (s.wecom_bot_id and s.wecom_bot_secret):
        log.warning("WECOM_BOT_MODE=longconn needs WECOM_BOT_ID and WECOM_BOT_SECRET; robot stays off")
        return None
    from bot.longconn import DEFAULT_URL, RobotLongConnection, relay_replies

    url = s.extra.get("wecom_bot_ws_url") or os.environ.get("WECOM_BOT_WS_URL") or DEFAULT_URL
    client = RobotLongConnection(app, url=url, bot_id=s.wecom_bot_id, secret=s.wecom_bot_secret,
                                 ping_interval=float(s.extra.get("wecom_bot_ping_interval", 30)))
    rt.extras["bot.longconn"] = client
    client.start()
    if not rt.embedded_redis:
        relay_replies(rt, client)
    return client
