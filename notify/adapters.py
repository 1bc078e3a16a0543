"""Build every channel adapter from the settings (channels whose settings are missing are off)."""

from __future__ import annotations

import time
from collections.abc import Callable

import redis
import requests

from config import Settings
from core.runtime import Runtime
from notify import texts
from notify.channel_bot_response import BotResponseChannel
from notify.channel_email import EmailChannel
from notify.channel_robot import RobotChannel
from notify.channel_sms import SmsChannel
from notify.channel_wecom import WeComAppChannel
from notify.channels import Channel, DisabledChannel
from notify.throttle import APP_USER_LIMITS, ROBOT_LIMITS, SlidingWindow
from notify.wecom_api import TokenCache, WeComClient, WeComHttp


def build_channels(settings: Settings, conn: redis.Redis, *, clock: Callable[[], float] = time.time,
                   session: requests.Session | None = None) -> dict[str, Channel]:
    """name -> adapter for wecom_app, wecom_robot, bot_response, email and sms."""
    session = session or requests.Session()
    http = WeComHttp(settings.wecom_api_base, session)
    channels: dict[str, Channel] = {
        "wecom_robot": RobotChannel(http, SlidingWindow(conn, "ops:notify:rate:robot", ROBOT_LIMITS, clock)),
        "bot_response": BotResponseChannel(http),
        "wecom_app": _app_channel(settings, conn, http, clock),
        "email": (EmailChannel(settings.smtp_url, settings.mail_from or "")
                  if settings.smtp_url else DisabledChannel("email", texts.EMAIL_OFF)),
        "sms": SmsChannel(settings.sms_url, session) if settings.sms_url else DisabledChannel("sms", texts.SMS_OFF),
    }
    return channels


def wecom_client(settings: Settings, conn: redis.Redis, *, clock: Callable[[], float] = time.time,
                 session: requests.Session | None = None) -> WeComClient | None:
    """A client of the self-built app's API (the token shared with `wecom_app`), or None when WeCom is off."""
    if not (settings.wecom_app_enabled and settings.wecom_agent_id is not None):
        return None
    http = WeComHttp(settings.wecom_api_base, session or requests.Session())
    tokens = TokenCache(conn, http, settings.wecom_corp_id, settings.wecom_secret, settings.wecom_agent_id,
                        clock=clock)
    return WeComClient(http, tokens)


def _app_channel(settings: Settings, conn: redis.Redis, http: WeComHttp, clock) -> Channel:
    client = app_client(settings, conn, http, clock)
    if client is None:
        return DisabledChannel("wecom_app", texts.WECOM_APP_OFF)
    corp, agent = settings.wecom_corp_id, settings.wecom_agent_id
    throttle = SlidingWindow(conn, f"ops:notify:rate:app:{corp}:{agent}", APP_USER_LIMITS, clock)
    return WeComAppChannel(client, agent, throttle)


def app_client(settings: Settings, conn: redis.Redis, http: WeComHttp | None = None,
               clock: Callable[[], float] = time.time) -> WeComClient | None:
    """The self-built app's API client (token shared in Redis with every process), None when the app is off."""
    if not (settings.wecom_app_enabled and settings.wecom_agent_id is not None):
        return None
    http = http or WeComHttp(settings.wecom_api_base)
    tokens = TokenCache(conn, http, settings.wecom_corp_id, settings.wecom_secret, settings.wecom_agent_id,
                        clock=clock)
    return WeComClient(http, tokens)


def wecom_app_api(rt: Runtime) -> WeComClient | None:
    """This process's app API client for calls outside the outbox (sign-in, card updates); None when off."""
    if "notify.wecom_app_api" not in rt.extras:
        rt.extras["notify.wecom_app_api"] = app_client(rt.settings, rt.redis)
    return rt.extras["notify.wecom_app_api"]
