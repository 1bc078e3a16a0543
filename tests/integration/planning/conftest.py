"""Fixtures of the scheduling tests: the demo factory (loaded once per module) with the bridge switched on,
so that chat goes through the real bot path, and a signed-in admin client."""

from __future__ import annotations

import json
import re
import time
import uuid

import pytest
from sqlmodel import select

from tests.conftest import make_app
from tests.integration.bot.wecom_client import bot_settings, bridge_headers
from tests.support.wecom_standin import WeComStandin


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo factory app (SQLite file), jobs inline."""
    from bootstrap import seed_demo

    with WeComStandin(corp_id="wwcorp", secret="s3cret", agent_id=1000002) as standin:
        app = make_app(f"sqlite:///{tmp_path_factory.mktemp('plan') / 'ops.db'}", **bot_settings(standin.base_url))
        seed_demo(app.extensions["ops"])
        yield app
        app.extensions["ops"].engine.dispose()


@pytest.fixture(scope="module")
def rt(demo):
    return demo.extensions["ops"]


@pytest.fixture(scope="module")
def say(demo):
    """say('SO… 排产 明天') -> the bot's reply to demo.planner (bridge id wxid_demo_planner)."""
    client = demo.test_client()

    def send(text: str, role: str = "planner") -> str:
        body = json.dumps({"msg_id": uuid.uuid4().hex, "chat_id": "wx-plan", "chat_name": "计划群",
                           "sender_id": f"wxid_demo_{role}", "sender_name": role, "text": text,
                           "sent_at": int(time.time())}, ensure_ascii=False).encode()
        r = client.post("/bridge/messages", data=body, headers=bridge_headers(body))
        assert r.status_code == 200, r.data
        return r.json["reply"]

    return send


def web_login(client, username: str, password: str = "demo1234") -> str:
    """Sign a test client in as a demo login; the CSRF token of the session."""
    page = client.get("/admin/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    r = client.post("/admin/login", data={"username": username, "password": password, "csrf_token": token})
    assert r.status_code == 302, r.get_data(as_text=True)[:300]
    return re.search(r'name="csrf_token" value="([^"]+)"',
                     client.get("/admin/password").get_data(as_text=True)).group(1)


class PendingOrders:
    """Hands out the demo's 待排产 orders one at a time, so tests in a module never share one."""

    def __init__(self, rt):
        self.rt, self.used = rt, set()

    def take(self, *, outsourced: bool | None = None, products: tuple[str, ...] = ()) -> str:
        from core.db import new_session
        from orders.models import Order, Product, RouteStep

        with new_session(self.rt.engine) as s:
            rows = s.exec(select(Order.order_no, Order.product_id, Product.code).join(Product)
                          .where(Order.status == "pending_schedule").order_by(Order.id)).all()
            for order_no, product_id, code in rows:
                if order_no in self.used or (products and code not in products):
                    continue
                lines = set(s.exec(select(RouteStep.line).where(RouteStep.product_id == product_id)).all())
                if outsourced is not None and ("委外" in lines) != outsourced:
                    continue
                self.used.add(order_no)
                return order_no
        pytest.fail("the demo has no such 待排产 order left")


@pytest.fixture(scope="module")
def pending(rt):
    return PendingOrders(rt)
