"""Shipping subscribes the waybill at a local Kuaidi100 stand-in; its signed push then moves the order."""

from __future__ import annotations

import json
import threading

import pytest
from sqlmodel import select
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from core.db import new_session
from logistics.kuaidi100 import sign_of
from logistics.models import Waybill
from orders.models import Order
from tests.integration.notices.notices_env import api_token, notice_app, seed_shop, ship

SALT, KEY = "kd-salt-77", "kd-key-99"


class Kuaidi100Standin:
    """poll.kuaidi100.com/poll on a free local port: records subscriptions, answers like Kuaidi100."""

    def __init__(self):
        self.subscriptions: list[dict] = []
        self.answer = {"result": True, "returnCode": "200", "message": "提交成功"}
        self.server = make_server("127.0.0.1", 0, self._wsgi, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def _wsgi(self, environ, start_response):
        req = Request(environ)
        if req.path != "/poll" or req.method != "POST" or req.form.get("schema") != "json":
            return Response("bad request", 400)(environ, start_response)
        self.subscriptions.append(json.loads(req.form["param"]))
        return Response(json.dumps(self.answer, ensure_ascii=False), mimetype="application/json")(
            environ, start_response)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join(timeout=5)


@pytest.fixture
def kd100():
    with Kuaidi100Standin() as standin:
        yield standin


@pytest.fixture
def shop(db_url, tmp_path, kd100):
    app = notice_app(db_url, tmp_path, logistics={"kuaidi100_salt": SALT, "kuaidi100_key": KEY,
                                                  "kuaidi100_api_base": kd100.base_url})
    yield app, seed_shop(app, bridge=False)
    app.extensions["ops"].engine.dispose()


def test_shipping_subscribes_and_the_signed_push_delivers(shop, kd100):
    app, d = shop
    client = app.test_client()
    assert ship(client, api_token(app), d["order_no"], tracking_no="SF5550001112").status_code == 200
    [sub] = kd100.subscriptions
    assert (sub["company"], sub["number"], sub["key"]) == ("shunfeng", "SF5550001112", KEY)
    assert sub["parameters"]["callbackurl"] == "http://testserver/logistics/kuaidi100"
    salt = sub["parameters"]["salt"]
    param = json.dumps({"status": "shutdown", "message": "", "comNew": "", "lastResult": {
        "nu": "SF5550001112", "com": "shunfeng", "state": "3", "ischeck": "1",
        "data": [{"ftime": "2026-11-22 10:00:00", "context": "已签收，签收人：前台", "areaName": "浙江,宁波市"}]}},
        ensure_ascii=False)
    r = client.post(sub["parameters"]["callbackurl"].removeprefix("http://testserver"),
                    data={"param": param, "sign": sign_of(param, salt)})
    assert r.json == {"result": True, "returnCode": "200", "message": "成功"}
    with new_session(app.extensions["ops"].engine) as s:
        assert s.exec(select(Order).where(Order.order_no == d["order_no"])).one().status == "delivered"
        assert s.exec(select(Waybill)).one().carrier_code == "shunfeng"


def test_a_refused_subscription_records_nothing(shop, kd100):
    app, d = shop
    kd100.answer = {"result": False, "returnCode": "600", "message": "您不是合法的订阅者"}
    assert ship(app.test_client(), api_token(app), d["order_no"]).status_code == 200
    assert len(kd100.subscriptions) == 1
    with new_session(app.extensions["ops"].engine) as s:
        assert s.exec(select(Waybill)).all() == []


def test_self_pickup_subscribes_nothing(shop, kd100):
    app, d = shop
    assert ship(app.test_client(), api_token(app), d["order_no"], carrier="自提", tracking_no=None).status_code == 200
    assert kd100.subscriptions == []
