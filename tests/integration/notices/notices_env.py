"""Helpers of the notice tests: an app wired to a WeCom stand-in, a shop with groups, decoding."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import re
import time
import uuid

import zxingcpp
from PIL import Image

from orders.models import CustomerChat
from orders.status import Status
from tests.conftest import make_app
from tests.factories import basic_factory, order_in

OPS_KEY = "ops-robot-key"
BRIDGE_CHAT = "wx-bridge-1"
BRIDGE_SECRET = "bridge-test-secret"
URL_RE = re.compile(r"http://testserver/t/[A-Za-z0-9_\-]+")


def notice_app(db_url: str, tmp_path, wecom=None, **overrides):
    """An app whose WeCom calls go to `wecom`, notices written under tmp_path."""
    settings = {"logistics": {"notice_dir": str(tmp_path / "notices"), **overrides.pop("logistics", {})},
                "bridge_secret": BRIDGE_SECRET}
    if wecom is not None:
        settings.update(wecom_api_base=wecom.base_url, wecom_corp_id=wecom.corp_id, wecom_secret=wecom.secret,
                        wecom_agent_id=1000002)
    settings.update(overrides)
    return make_app(db_url, **settings)


def seed_shop(app, *, status: Status = Status.IN_STOCK, bridge: bool = True) -> dict:
    """Factory data, an internal ops group with a robot, a bridged customer group, one order."""
    rt = app.extensions["ops"]
    with app.app_context(), rt.uow() as uow:
        f = basic_factory(uow)
        uow.session.add(CustomerChat(customer_id=None, chat_id="ops-group", chat_name="生产调度群",
                                     robot_key=OPS_KEY, internal=True))
        if bridge:
            uow.session.add(CustomerChat(customer_id=f["customer"].id, chat_id=BRIDGE_CHAT,
                                         chat_name="测试机械微信群", platform="bridge"))
        order = order_in(uow, status)
        uow.commit()
        return {"order_no": order.order_no, "order_id": order.id, "sales": f["people"]["sales"].userid,
                "people": f["people"], "customer": f["customer"], "product": f["product"]}


def api_token(app, role: str = "warehouse") -> str:
    from accounts.service import create_token
    from core.db import new_session

    with new_session(app.extensions["ops"].engine) as s:
        return create_token(s, f"t-{role}-{uuid.uuid4().hex[:6]}", role)


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def ship(client, token: str, order_no: str, carrier: str = "顺丰", tracking_no: str | None = "SF1402938475621"):
    body = {"to": "shipped", "carrier": carrier}
    if tracking_no:
        body["tracking_no"] = tracking_no
    return client.post(f"/api/orders/{order_no}/status", headers=auth(token), json=body)


def qr_text(png: bytes) -> str:
    """The one QR code in an image."""
    codes = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)).convert("RGB"))
    assert len(codes) == 1, f"expected one QR code, found {len(codes)}"
    return codes[0].text


def robot_images(wecom, key: str = OPS_KEY) -> list[bytes]:
    """Images the stand-in accepted for a robot, after checking base64 and md5 like WeCom."""
    out = []
    for k, body in wecom.webhook_messages:
        if k == key and body.get("msgtype") == "image":
            raw = base64.b64decode(body["image"]["base64"], validate=True)
            assert hashlib.md5(raw).hexdigest() == body["image"]["md5"]
            out.append(raw)
    return out


def app_messages_to(wecom, userid: str, msgtype: str) -> list[dict]:
    return [m for m in wecom.app_messages if userid in m.get("touser", "").split("|") and m["msgtype"] == msgtype]


def signed(body: bytes | str, secret: str = BRIDGE_SECRET, ts: int | None = None) -> dict:
    """Bridge auth headers over `body` (the query string for a GET)."""
    raw = body.encode() if isinstance(body, str) else body
    stamp = str(ts if ts is not None else int(time.time()))
    sig = hmac.new(secret.encode(), stamp.encode() + b"." + raw, hashlib.sha256).hexdigest()
    return {"X-Timestamp": stamp, "X-Signature": sig}
