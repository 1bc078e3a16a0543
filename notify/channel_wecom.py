"""WeCom self-built app messages (`wecom_app`): recipient = WeCom userid ("u1|u2" allowed)."""

from __future__ import annotations

import logging
import math

from notify import texts
from notify.cards import template_card
from notify.channels import ChannelError, SendResult
from notify.content import check_image, image_bytes, image_filename, truncate_utf8
from notify.models import Notification
from notify.throttle import SlidingWindow
from notify.wecom_api import WeComClient

log = logging.getLogger(__name__)

TEXT_LIMIT = 2048  # WeCom: text and markdown of an app message, in UTF-8 bytes
TEXTCARD_TITLE_LIMIT = 128
TEXTCARD_DESCRIPTION_LIMIT = 512
APP_IMAGE_LIMIT = 10 * 1024 * 1024
DUPLICATE_CHECK_INTERVAL = 1800


class WeComAppChannel:
    """Sends as the app; stays under 30 a minute / 1,000 an hour per member (WeCom drops the rest)."""

    name = "wecom_app"
    disabled_reason = None

    def __init__(self, client: WeComClient, agent_id: int, throttle: SlidingWindow):
        self.client, self.agent_id, self.throttle = client, agent_id, throttle

    def send(self, n: Notification) -> SendResult:
        """Take a slot for every recipient, build the body (uploading an image), send."""
        users = [u for u in (n.recipient or "").split("|") if u]
        if not users:
            raise ChannelError(texts.NO_RECIPIENT, retry=False)
        wait = max(self.throttle.acquire(u) for u in users)
        if wait > 0:
            raise ChannelError(texts.THROTTLED.format(what="每人每分钟 30 条、每小时 1000 条", seconds=math.ceil(wait)),
                               retry_after=math.ceil(wait), deferred=True)
        kind, part = self.content_of(n)
        answer = self.client.send_message({
            "touser": "|".join(users), "msgtype": kind, "agentid": self.agent_id, kind: part,
            # A second guard behind the outbox claim: a message re-sent after a crash is dropped by WeCom.
            "enable_duplicate_check": 1, "duplicate_check_interval": DUPLICATE_CHECK_INTERVAL,
        })
        invalid = [u for u in str(answer.get("invaliduser") or "").split("|") if u]
        if invalid and set(users) <= set(invalid):
            raise ChannelError(texts.ALL_RECIPIENTS_INVALID.format(users="|".join(invalid)), retry=False)
        if invalid:
            log.warning("notification %s: WeCom does not know %s", n.id, "|".join(invalid))
        if answer.get("response_code"):  # a card: lets us update it once later (e.g. acked elsewhere)
            n.payload = {**(n.payload or {}), "response_code": str(answer["response_code"])}
        return SendResult(provider_msgid=str(answer.get("msgid", "")))

    def content_of(self, n: Notification) -> tuple[str, dict]:
        """(msgtype, the part of the body named after it) for a notification."""
        p = n.payload or {}
        kind = p.get("msgtype") or "text"
        if kind in ("text", "markdown"):
            return kind, {"content": truncate_utf8(n.body, TEXT_LIMIT)}
        if kind == "image":
            data = check_image(image_bytes(p), limit=APP_IMAGE_LIMIT)
            return "image", {"media_id": self.client.upload_media("image", image_filename(data), data)}
        if kind == "textcard":
            if not p.get("url"):
                raise ChannelError(texts.TEXTCARD_NO_URL, retry=False)
            return "textcard", {
                "title": truncate_utf8(p.get("title") or n.subject or texts.DEFAULT_SUBJECT, TEXTCARD_TITLE_LIMIT),
                "description": truncate_utf8(n.body, TEXTCARD_DESCRIPTION_LIMIT), "url": p["url"],
                "btntxt": p.get("btntxt") or texts.TEXTCARD_BUTTON,
            }
        if kind == "template_card":
            return "template_card", template_card(n)
        raise ChannelError(texts.UNKNOWN_MSGTYPE.format(msgtype=kind), retry=False)
