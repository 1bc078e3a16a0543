"""In the demo factory, one order walked from submission to delivery through chat messages (the
personal-WeChat bridge, signed like a real bridge) tells exactly the right people, once each."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid

import pytest
from sqlmodel import select

from bootstrap import seed_demo
from notify.models import Notification
from orders import service
from orders.models import Customer, Order, Product, RouteStep, Staff
from tests.conftest import make_app
from tests.factories import actor_of

SECRET = "bridge-secret-for-tests"


@pytest.fixture
def demo(sqlite_url):
    app = make_app(sqlite_url, bridge_secret=SECRET)
    with app.app_context():
        seed_demo(app.extensions["ops"])
        yield app
    app.extensions["ops"].engine.dispose()


def _say(client, role: str, text: str) -> str:
    body = json.dumps({"msg_id": uuid.uuid4().hex, "chat_id": "wx-ops-group", "chat_name": "生产协调群",
                       "sender_id": f"wxid_demo_{role}", "sender_name": role, "text": text,
                       "sent_at": int(time.time())}, ensure_ascii=False).encode()
    ts = str(int(time.time()))
    sig = hmac.new(SECRET.encode(), ts.encode() + b"." + body, hashlib.sha256).hexdigest()
    r = client.post("/bridge/messages", data=body, headers={"Content-Type": "application/json",
                                                            "X-Timestamp": ts, "X-Signature": sig})
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.json["reply"]


def _told(rt, order_id: int) -> list[tuple[str, str]]:
    with rt.uow() as uow:
        rows = uow.session.exec(select(Notification).where(Notification.kind == "next_step",
                                                           Notification.order_id == order_id)
                                .order_by(Notification.id)).all()
        return [(n.recipient, n.body.split("】")[0].lstrip("【")) for n in rows]


def test_walk_one_demo_order_from_submission_to_delivery_through_chat(demo):
    rt, client = demo.extensions["ops"], demo.test_client()
    with rt.uow() as uow:
        s = uow.session
        sales = s.exec(select(Staff).where(Staff.userid == "demo.sales")).one()
        customer = s.exec(select(Customer).where(Customer.sales_owner_id == sales.id)).first()
        product = s.exec(select(Product).join(RouteStep, RouteStep.product_id == Product.id)
                         .where(RouteStep.line != "委外").order_by(Product.id)).first()
        steps = [r.process for r in s.exec(select(RouteStep).where(RouteStep.product_id == product.id)
                                           .order_by(RouteStep.seq))]
        planner_head = [p for p in s.exec(select(Staff).where(Staff.roles == "planner")).all()
                        if s.get(Staff, p.manager_id).userid == "demo.manager"][0]
        order = service.create_order(uow, customer=customer.name, product=product.code, quantity=1,
                                     promised_date=__import__("datetime").date(2026, 12, 30),
                                     actor=actor_of(sales, "web"), tz=rt.settings.tz)
        uow.commit()
    no, oid = order.order_no, order.id

    assert "待排产" in _say(client, "planner", f"{no} 审核通过")
    assert "已排产" in _say(client, "planner", f"{no} 排产 12月1日 1号线")
    for process in steps:
        _say(client, "production", f"{no} {process}完成100%")
    _say(client, "qc", f"{no} 质检合格")
    assert "已入库" in _say(client, "warehouse", f"{no} 已入库")
    assert "已发货" in _say(client, "warehouse", f"{no} 已发货 顺丰 SF1402938475621")
    _say(client, "logistics", f"{no} 快递已揽收")
    _say(client, "logistics", f"{no} 客户已签收")

    with rt.uow() as uow:
        assert uow.session.get(Order, oid).status == "delivered"
    assert _told(rt, oid) == [
        (planner_head.userid, "待审核"),   # submitted by sales on the web -> the planning head
        # approved by demo.planner himself: the planner on duty is not told what he just did
        ("demo.production", "已排产"),     # 1号线's lead
        ("demo.qc", "待质检"),             # last process reported done -> QC on duty
        ("demo.warehouse", "待入库"),      # QC pass -> warehouse on duty
        ("demo.sales", "可发货"),          # stocked in by demo.warehouse: only sales is told
        ("demo.sales", "已发货"),
        ("demo.sales", "运输中"),
        ("demo.sales", "已签收"),
    ]
