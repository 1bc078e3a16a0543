"""Who may do what from a chat: customers query their own orders only; roles gate each move."""

from __future__ import annotations

import json
import time

from notify.models import Notification
from orders.status import Status
from tests.integration.bot.conftest import order_of, rows
from tests.integration.bot.wecom_client import bridge_headers, robot_message, robot_post


def _customer_says(client, text: str, msg_id: str):
    body = json.dumps({"msg_id": msg_id, "chat_id": "chat-test", "chat_name": "测试机械对接群",
                       "sender_id": "wxid_customer", "sender_name": "客户老李", "text": text,
                       "sent_at": int(time.time())}, ensure_ascii=False).encode()
    return client.post("/bridge/messages", data=body, headers=bridge_headers(body)).json["reply"]


def test_customer_in_their_group_can_query_but_not_ship(bot_app, rt, make_order):
    no = make_order(Status.IN_STOCK)
    client = bot_app.test_client()
    answer = _customer_says(client, f"{no} 到哪了", "c-1")
    assert no in answer and "已入库" in answer
    refused = _customer_says(client, f"{no} 已发货 顺丰 SF1402938475621", "c-2")
    assert "只能查询" in refused
    assert order_of(rt, no).status == "in_stock"


def test_customer_cannot_see_another_customers_order(bot_app, rt, factory, make_order):
    from orders.models import Customer

    with rt.uow() as uow:
        uow.session.add(Customer(name="别家公司", short_name="别家"))
        uow.commit()
    other = make_order(Status.IN_STOCK, customer="别家公司")
    answer = _customer_says(bot_app.test_client(), f"{other} 到哪了", "c-3")
    assert "没有找到" in answer and "已入库" not in answer


def test_warehouse_clerk_cannot_approve(bot_app, rt, make_order):
    no = make_order(Status.PENDING_REVIEW)
    robot_post(bot_app.test_client(), robot_message(f"{no} 审核通过", userid="t.warehouse"))
    [reply] = rows(rt, Notification, Notification.kind == "reply")
    assert "没有权限" in reply.body and "计划" in reply.body
    assert order_of(rt, no).status == "pending_review"


def test_planner_can_approve(bot_app, rt, make_order):
    no = make_order(Status.PENDING_REVIEW)
    robot_post(bot_app.test_client(), robot_message(f"{no} 审核通过", userid="t.planner"))
    assert order_of(rt, no).status != "pending_review"


def test_a_stranger_gets_a_polite_refusal(bot_app, rt, make_order):
    no = make_order(Status.IN_STOCK)
    robot_post(bot_app.test_client(), robot_message(f"{no} 已发货 顺丰 SF1402938475621", userid="nobody"))
    [reply] = rows(rt, Notification, Notification.kind == "reply")
    assert "抱歉" in reply.body
    assert order_of(rt, no).status == "in_stock"
