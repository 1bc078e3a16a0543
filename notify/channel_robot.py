"""Group robot webhook (`wecom_robot`): recipient = the robot's webhook key."""

from __future__ import annotations

import base64
import hashlib
import math

from notify import texts
from notify.channels import ChannelError, SendResult
from notify.content import check_image, file_of, image_bytes, truncate_utf8
from notify.models import Notification
from notify.throttle import SlidingWindow
from notify.wecom_api import WeComHttp

TEXT_LIMIT = 2048
MARKDOWN_LIMIT = 4096


DEMO_KEY_PREFIX = "demo-"


class RobotChannel:
    """Posts to a group robot; keeps itself under 20 messages a minute per robot."""

    name = "wecom_robot"
    disabled_reason = None

    def __init__(self, http: WeComHttp, throttle: SlidingWindow):
        self.http, self.throttle = http, throttle

    def skip_reason(self, n: Notification) -> str | None:
        """The demo factory's robot keys are placeholders: record, never post."""
        return texts.DEMO_ROBOT_KEY if n.recipient.startswith(DEMO_KEY_PREFIX) else None

    def send(self, n: Notification) -> SendResult:
        """Build the body, wait for a slot of this robot, post it."""
        key = n.recipient
        if not key:
            raise ChannelError(texts.NO_RECIPIENT, retry=False)
        body = self.body_of(n)
        wait = self.throttle.acquire(key)
        if wait > 0:
            raise ChannelError(texts.THROTTLED.format(what="群机器人每分钟 20 条", seconds=math.ceil(wait)),
                               retry_after=math.ceil(wait), deferred=True)
        self.http.request("POST", "/cgi-bin/webhook/send", params={"key": key}, json=body)
        return SendResult()

    def body_of(self, n: Notification) -> dict:
        """The webhook JSON for a notification's msgtype."""
        p = n.payload or {}
        kind = p.get("msgtype") or "text"
        if kind == "text":
            part = {"content": truncate_utf8(n.body, TEXT_LIMIT)}
            if p.get("mentioned_list"):
                part["mentioned_list"] = list(p["mentioned_list"])
            if p.get("mentioned_mobile_list"):
                part["mentioned_mobile_list"] = list(p["mentioned_mobile_list"])
            return {"msgtype": "text", "text": part}
        if kind == "markdown":
            return {"msgtype": "markdown", "markdown": {"content": truncate_utf8(n.body, MARKDOWN_LIMIT)}}
        if kind == "image":
            data = check_image(image_bytes(p))
            return {"msgtype": "image", "image": {"base64": base64.b64encode(data).decode("ascii"),
                                                  "md5": hashlib.md5(data).hexdigest()}}
        if kind == "file":
            return {"msgtype": "file", "file": {"media_id": self.upload_file(n.recipient, *file_of(p))}}
        if kind in ("news", "textcard"):
            article = {"title": p.get("title") or n.subject or n.body[:30], "description": n.body,
                       "url": p.get("url") or ""}
            if not article["url"]:
                raise ChannelError(texts.TEXTCARD_NO_URL, retry=False)
            return {"msgtype": "news", "news": {"articles": [article]}}
        raise ChannelError(texts.UNKNOWN_MSGTYPE.format(msgtype=kind), retry=False)

    def upload_file(self, key: str, filename: str, data: bytes) -> str:
        """Upload a file for this robot; returns its media_id (valid 3 days)."""
        answer = self.http.request("POST", "/cgi-bin/webhook/upload_media", params={"key": key, "type": "file"},
                                   files={"media": (filename, data)})
        return answer["media_id"]
