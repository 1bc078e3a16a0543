"""Intelligent-robot later reply (`bot_response`): recipient = the message's response_url."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from core.types import utcnow
from notify import texts
from notify.channels import ChannelError, SendResult
from notify.content import truncate_utf8
from notify.models import Notification
from notify.wecom_api import WeComApiError, WeComHttp

MARKDOWN_LIMIT = 20480
URL_LIFETIME = timedelta(hours=1)
RESPONSE_PATH = "/cgi-bin/aibot/response"
WECOM_HOST = "qyapi.weixin.qq.com"


class BotResponseChannel:
    """POSTs markdown to a response_url: once, and within an hour of the message."""

    name = "bot_response"
    disabled_reason = None

    def __init__(self, http: WeComHttp, clock: Callable[[], datetime] = utcnow):
        self.http, self.clock = http, clock

    def target(self, response_url: str) -> str | None:
        """Where to POST: the URL WeCom gave (it came in a signed message), with WeCom's own host
        replaced by WECOM_API_BASE so a local stand-in receives it; None when it is no response URL."""
        parts = urlsplit(response_url)
        if parts.scheme not in ("http", "https") or parts.path.rstrip("/") != RESPONSE_PATH or not parts.query:
            return None
        if parts.hostname == WECOM_HOST:
            return f"{self.http.base_url}{RESPONSE_PATH}?{parts.query}"
        return response_url

    def send(self, n: Notification) -> SendResult:
        """Reply through the URL; a used, refused or stale URL fails for good."""
        url = self.target(n.recipient or "")
        if url is None:
            raise ChannelError(texts.RESPONSE_URL_FOREIGN, retry=False)
        if n.created_at and self.clock() - n.created_at > URL_LIFETIME:
            raise ChannelError(texts.RESPONSE_URL_EXPIRED, retry=False)
        body = {"msgtype": "markdown", "markdown": {"content": truncate_utf8(n.body, MARKDOWN_LIMIT)}}
        try:
            self.http.request("POST", url, json=body)
        except WeComApiError as exc:
            if exc.deferred or exc.errcode == -1:
                raise
            raise ChannelError(texts.RESPONSE_URL_REFUSED.format(detail=exc), retry=False) from None
        return SendResult()
