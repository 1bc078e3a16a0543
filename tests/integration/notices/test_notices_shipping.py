"""Shipping (API or chat) sends the notice image through the WeCom stand-in: ops group robot and salesperson."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlmodel import select

from core.db import new_session
from logistics.jobs import send_shipping_notice
from logistics.models import BridgeNotice, TrackingToken
from notify.models import Notification
from orders import service
from orders.models import Order
from tests.factories import actor_of
from tests.integration.notices.notices_env import (
    BRIDGE_CHAT,
    URL_RE,
    api_token,
    app_messages_to,
    auth,
    notice_app,
    qr_text,
    robot_images,
    seed_shop,
    ship,
    signed,
)
from tests.support.wecom_standin import WeComStandin


@pytest.fixture
def wecom():
    with WeComStandin() as standin:
        standin.valid_webhook_keys.add("ops-robot-key")
        yield standin


@pytest.fixture
def shop(db_url, tmp_path, wecom):
    app = notice_app(db_url, tmp_path, wecom)
    data = seed_shop(app)
    yield app, data
    app.extensions["ops"].engine.dispose()


def forward_url(wecom, sales: str, order_no: str) -> str:
    texts = [m["text"]["content"] for m in app_messages_to(wecom, sales, "text") if order_no in m["text"]["content"]
             and "一键转发到客户群" in m["text"]["content"]]
    assert texts, "the salesperson got the line to forward"
    return URL_RE.search(texts[-1]).group(0)


def test_shipping_by_api_posts_the_notice_to_the_ops_group_and_the_salesperson(shop, wecom):
    app, d = shop
    client = app.test_client()
    r = ship(client, api_token(app), d["order_no"])
    assert r.status_code == 200, r.json

    [group_png] = robot_images(wecom)
    url = qr_text(group_png)
    assert url.startswith("http://testserver/t/")
    [upload] = [u for u in wecom.uploads if u["type"] == "image"]
    assert upload["md5"] == hashlib.md5(group_png).hexdigest()
    [image_msg] = app_messages_to(wecom, d["sales"], "image")
    assert image_msg["image"]["media_id"] == upload["media_id"]
    assert forward_url(wecom, d["sales"], d["order_no"]) == url

    page = client.get(url.removeprefix("http://testserver"))
    assert page.status_code == 200 and d["order_no"] in page.get_data(as_text=True)
    png = client.get(f"/api/orders/{d['order_no']}/notice.png", headers=auth(api_token(app, "sales")))
    assert png.status_code == 200 and png.mimetype == "image/png"
    assert hashlib.md5(png.data).hexdigest() == hashlib.md5(group_png).hexdigest()


def test_shipping_from_chat_sends_the_same_notice(shop, wecom):
    app, d = shop
    rt = app.extensions["ops"]
    with app.app_context(), rt.uow() as uow:
        service.change_status(uow, d["order_no"], actor=actor_of(d["people"]["warehouse"], "chat"), command="ship",
                              fields={"carrier": "中通", "tracking_no": "ZT7788990011"})
        uow.commit()
    [png] = robot_images(wecom)
    assert qr_text(png) == forward_url(wecom, d["sales"], d["order_no"])
    with new_session(rt.engine) as s:
        order = s.exec(select(Order).where(Order.order_no == d["order_no"])).one()
        # 中通 to 浙江 takes 2 days by the seeded table.
        assert order.eta == order.shipped_at.astimezone(rt.settings.tz).date() + timedelta(days=2)


def test_a_retried_notice_job_sends_nothing_twice(shop, wecom):
    app, d = shop
    assert ship(app.test_client(), api_token(app), d["order_no"]).status_code == 200
    rt = app.extensions["ops"]
    with new_session(rt.engine) as s:
        token = s.exec(select(TrackingToken).where(TrackingToken.order_id == d["order_id"])).one()
        rows = s.exec(select(Notification).where(Notification.kind == "notice")).all()
    assert {r.status for r in rows} == {"sent"} and len(rows) == 3
    before = (len(wecom.webhook_messages), len(wecom.app_messages), len(wecom.uploads))
    with app.app_context():
        assert send_shipping_notice(d["order_id"], token.shipment_ref) == "already-sent"
    assert (len(wecom.webhook_messages), len(wecom.app_messages), len(wecom.uploads)) == before
    with new_session(rt.engine) as s:
        assert len(s.exec(select(TrackingToken)).all()) == 1
        assert len(s.exec(select(BridgeNotice)).all()) == 1


def test_resend_with_reissue_revokes_the_old_link(shop, wecom):
    app, d = shop
    client = app.test_client()
    assert ship(client, api_token(app), d["order_no"]).status_code == 200
    old_url = qr_text(robot_images(wecom)[0]).removeprefix("http://testserver")
    tok = api_token(app, "sales")
    r = client.post(f"/api/orders/{d['order_no']}/notice/resend", json={}, headers=auth(tok))
    assert r.status_code == 200 and r.json["reissued"] is False and r.json["queued"] >= 3
    assert len(robot_images(wecom)) == 2 and qr_text(robot_images(wecom)[1]) == "http://testserver" + old_url
    r = client.post(f"/api/orders/{d['order_no']}/notice/resend", json={"reissue": True}, headers=auth(tok))
    assert r.status_code == 200 and r.json["reissued"] is True
    new_url = qr_text(robot_images(wecom)[2]).removeprefix("http://testserver")
    assert new_url != old_url
    assert client.get(old_url).status_code == 404
    assert client.get(new_url).status_code == 200


def test_notice_of_an_unshipped_order_is_a_json_409(shop):
    app, d = shop
    r = app.test_client().get(f"/api/orders/{d['order_no']}/notice.png", headers=auth(api_token(app)))
    assert r.status_code == 409 and r.json["error"] == "illegal_transition" and "尚未发货" in r.json["message"]


def test_bridge_pulls_the_notice_with_hmac_auth_and_acks_it(shop):
    app, d = shop
    client = app.test_client()
    assert ship(client, api_token(app), d["order_no"]).status_code == 200
    qs = f"chat_id={BRIDGE_CHAT}"
    assert client.get(f"/bridge/outbox?{qs}").status_code == 403
    assert client.get(f"/bridge/outbox?{qs}", headers=signed("chat_id=other")).status_code == 403
    assert client.get(f"/bridge/outbox?{qs}", headers=signed(qs, ts=1)).status_code == 403
    r = client.get(f"/bridge/outbox?{qs}", headers=signed(qs))
    assert r.status_code == 200
    [item] = r.json["items"]
    import base64

    raw = base64.b64decode(item["image_b64"])
    assert hashlib.md5(raw).hexdigest() == item["image_md5"] and item["order_no"] == d["order_no"]
    assert qr_text(raw) in item["text"]
    body = b'{"ids": [%d]}' % item["id"]
    ack = client.post("/bridge/outbox/ack", data=body, content_type="application/json", headers=signed(body))
    assert ack.status_code == 200 and ack.json["acked"] == 1
    assert client.get(f"/bridge/outbox?{qs}", headers=signed(qs)).json["items"] == []
