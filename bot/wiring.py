"""Wiring of the bot: tables, callbacks and bridge, the long-connection channel and client, catch-up cron,
demo chat identities."""

from __future__ import annotations

import logging

from bot import models
from bot.bridge import bp as bridge_bp
from bot.jobs import CATCH_UP_SECONDS, catch_up_inbound
from bot.longconn import RobotLongConnection, RobotSocketChannel, relay_replies
from bot.lookup import forget_lookups
from bot.seed import seed_chat_identities
from bot.wecom import RobotCallback
from bot.wecom import bp as wecom_bp
from core.feature import CronEntry, Feature
from core.runtime import Runtime
from orders.events import OrderCreated

log = logging.getLogger(__name__)


def channels(rt: Runtime) -> dict:
    """The `aibot_ws` reply channel when the robot talks over its long connection."""
    return {"aibot_ws": RobotSocketChannel(rt)} if rt.settings.wecom_bot_mode == "longconn" else {}


def longconn_health(rt: Runtime) -> dict:
    """/healthz: the robot's long connection in this process."""
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
    client = RobotLongConnection(app, url=s.bot.ws_url, bot_id=s.wecom_bot_id, secret=s.wecom_bot_secret,
                                 ping_interval=s.bot.ping_interval)
    rt.extras["bot.longconn"] = client
    client.start()
    if not rt.embedded_redis:
        relay_replies(rt, client)
    return client


def warm_up(rt: Runtime) -> None:
    """Load jieba and the domain dictionary (about a second) and run the parser once."""
    from datetime import datetime

    from nlu import parse

    parse("SO20260101-0001 已发货 顺丰 SF1234567890", datetime.now(rt.settings.tz))


def init_app(app) -> None:
    """Warm the parser at start-up when chat callbacks are on (the bridge and inline jobs parse in the request);
    put the robot callback's fast path in front of Flask.

    In the calling thread, so that a server forking after start-up (gunicorn --preload) never forks
    while another thread holds the tokenizer's lock."""
    rt = app.extensions["ops"]
    s = rt.settings
    if s.wecom_callback_enabled or s.wecom_bot_enabled or s.bridge_secret:
        warm_up(rt)
    app.wsgi_app = RobotCallback(app, app.wsgi_app)  # POST /wecom/bot without Flask's request machinery


FEATURE = Feature(
    name="bot",
    models=[models],
    handlers={OrderCreated: [forget_lookups]},
    blueprints=[wecom_bp, bridge_bp],
    health_checks={"wecom_bot_longconn": longconn_health},
    cron=[CronEntry(func=catch_up_inbound, interval=CATCH_UP_SECONDS)],
    channels=channels,
    seed=seed_chat_identities,
    start=start,
    init_app=init_app,
    warm_up=warm_up,
)
