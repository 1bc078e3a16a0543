"""SMS through a generic HTTP gateway (`sms`): recipient = mobile number.

Wire format: POST SMS_URL with JSON {"mobile": "13800000000", "content": "…"}.
2xx with no body, a non-JSON body, or JSON {"code": 0, "msgid": "…"} = sent; 2xx with
another "code" = refused for good; 4xx = refused for good (429 = try later); 5xx or
a timeout = try later.
"""

from __future__ import annotations

import requests

from notify import texts
from notify.channels import ChannelError, SendResult
from notify.models import Notification

TIMEOUT = (3.05, 10)


class SmsChannel:
    """Posts one JSON message per notification to the gateway."""

    name = "sms"
    disabled_reason = None

    def __init__(self, url: str, session: requests.Session | None = None, timeout=TIMEOUT):
        self.url, self.timeout = url, timeout
        self.session = session or requests.Session()

    def send(self, n: Notification) -> SendResult:
        """POST to the gateway and read its answer."""
        if not n.recipient:
            raise ChannelError(texts.NO_RECIPIENT, retry=False)
        try:
            resp = self.session.post(self.url, json={"mobile": n.recipient, "content": n.body}, timeout=self.timeout)
        except requests.RequestException as exc:
            raise ChannelError(texts.PROVIDER_DOWN.format(service="短信网关", detail=type(exc).__name__)) from None
        if resp.status_code >= 500 or resp.status_code == 429:
            raise ChannelError(texts.PROVIDER_DOWN.format(service="短信网关", detail=f"HTTP {resp.status_code}"),
                               retry_after=_retry_after(resp))
        if resp.status_code >= 400:
            raise ChannelError(texts.SMS_REFUSED.format(detail=f"HTTP {resp.status_code} {resp.text[:200]}"),
                               retry=False)
        try:
            data = resp.json() if resp.content.strip() else {}
        except ValueError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        if data.get("code", 0) not in (0, "0"):
            raise ChannelError(texts.SMS_REFUSED.format(detail=f"code {data.get('code')} {data.get('message', '')}"),
                               retry=False)
        return SendResult(provider_msgid=str(data.get("msgid") or data.get("id") or ""))


def _retry_after(resp: requests.Response) -> float | None:
    try:
        return float(resp.headers.get("Retry-After", ""))
    except ValueError:
        return None
