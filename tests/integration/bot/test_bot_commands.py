"""Each chat command through the bridge (the reply comes back in the answer), as the right role."""

from __future__ import annotations

import json
import time
import uuid
from datetime import timedelta

import pytest

from bot.models import ChatIdentity
from orders.models import Order, ProductionTask, QcInspection, StatusEvent
from orders.status import Status
from tests.integration.bot.conftest import order_of, rows
from tests.integration.bot.wecom_client import bridge_headers


@pytest.fixture
def say(bot_app, rt, factory):
    """say('warehouse', 'SO… 已发货 …') -> the bot's reply to that person in the ops group."""
    client = bot_app.test_client()
    with rt.uow() as uow:
        for role, person in factory["people"].items():
            uow.session.add(ChatIdentity(platform="bridge", external_id=f"wx_{role}", staff_id=person.id))
        uow.commit()

    def send(role: str, text: str) -> str:
        body = json.dumps({"msg_id": uuid.uuid4().hex, "chat_id": "wx-ops", "chat_name": "生产群",
                           "sender_id": f"wx_{role}", "sender_name": role, "text": text,
                           "sent_at": int(time.time())}, ensure_ascii=False).encode()
        r = client.post("/bridge/messages", data=body, headers=bridge_headers(body))
        assert r.status_code == 200, r.data
        return r.json["reply"]

    return send


def test_an_order_walks_from_review_to_delivery_by_chat(say, rt, make_order):
    no = make_order(Status.PENDING_REVIEW)
    assert "✅" in say("planner", f"{no} 审核通过")
    assert order_of(rt, no).status == "pending_schedule"
    day = (order_of(rt, no).promised_date - timedelta(days=5)).isoformat()
    assert "已排产" in say("planner", f"{no} 排产 {day} 1号线")
    assert order_of(rt, no).line == "1号线"
    assert "80%" in say("production", f"{no} CNC加工 完成80%")
    assert order_of(rt, no).status == "in_production"
    for process in ("CNC加工", "阳极氧化"):
        say("production", f"{no} {process} 完成100%")
    assert order_of(rt, no).status == "in_production"
    assert "待质检" in say("production", f"{no} 包装 完成100%")
    assert "螺纹不良" in say("qc", f"{no} 质检不合格 螺纹不良")
    order = order_of(rt, no)
    assert order.status == "rework"
    assert rows(rt, QcInspection, QcInspection.order_id == order.id)[0].defects == "螺纹不良"
    for process in ("CNC加工", "阳极氧化", "包装"):
        say("production", f"{no} {process} 完成100%")
    assert "质检合格" in say("qc", f"{no} 质检合格")
    assert "已入库" in say("warehouse", f"{no} 已入库")
    say("warehouse", f"{no} 已发货 顺丰 SF1402938475621")
    say("logistics", f"{no} 已揽收")
    assert "已签收" in say("logistics", f"{no} 客户已签收")
    order = order_of(rt, no)
    assert order.status == "delivered"
    events = rows(rt, StatusEvent, StatusEvent.order_id == order.id, StatusEvent.command != "create")
    assert {e.source for e in events} == {"chat"} and all(e.inbound_message_id for e in events)
    tasks = rows(rt, ProductionTask, ProductionTask.order_id == order.id)
    assert {t.process for t in tasks} == {"CNC加工", "阳极氧化", "包装"} and all(t.done for t in tasks)


def test_query_answers_status_next_step_promised_date_and_owner(say, rt, make_order):
    no = make_order(Status.SHIPPED)
    answer = say("sales", f"{no} 到哪了")
    order = order_of(rt, no)
    assert "已发货" in answer and "揽收" in answer and "SF1402938475621" in answer
    assert order.promised_date.isoformat() in answer and "sales员" in answer


def test_an_erp_alias_is_accepted(say, rt, make_order):
    no = make_order(Status.IN_STOCK)
    with rt.uow() as uow:
        order = uow.session.get(Order, order_of(rt, no).id)
        order.erp_no = "ERP-778"
        uow.session.add(order)
        uow.commit()
    assert no in say("sales", "ERP-778 到哪了")


def test_a_unique_short_reference_is_resolved_and_an_ambiguous_one_asks_which(say, rt, factory):
    from core.types import utcnow
    from orders import service
    from tests.factories import admin_actor

    made = []
    with rt.uow() as uow:
        for days_ago in (1, 0):
            made.append(service.create_order(uow, customer="宁波测试机械有限公司", product="SH-100", quantity=10,
                                             promised_date=utcnow().date() + timedelta(days=20),
                                             actor=admin_actor(), tz=rt.settings.tz,
                                             now=utcnow() - timedelta(days=days_ago)).order_no)
        uow.commit()
    assert made[0].endswith("-0001") and made[1].endswith("-0001")
    answer = say("planner", "0001 审核通过")
    assert made[0] in answer and made[1] in answer and "完整订单号" in answer
    assert {order_of(rt, no).status for no in made} == {"pending_review"}


def test_help_lists_every_command_with_an_example(say):
    answer = say("sales", "帮助")
    for word in ("发货", "揽收", "签收", "查询", "审核", "排产", "报工", "质检合格", "质检不合格", "入库", "预警"):
        assert word in answer
    assert "SO20261120-0042" in answer


def test_ack_without_open_alerts_says_so(say, make_order):
    no = make_order(Status.IN_PRODUCTION)
    assert no in say("production", f"{no} 收到预警，马上处理")


def test_a_command_without_an_order_number_asks_for_one(say):
    assert "订单号" in say("sales", "订单到哪了")


def test_a_short_reference_matching_no_open_order_says_so(say, factory):
    assert "0099" in say("warehouse", "0099 已发货 顺丰 SF1402938475621")


def test_a_schedule_after_the_promise_of_a_product_without_route_is_warned_never_ticked(say, rt, make_order):
    """No route, so no tasks and no duration: a start after the promised date still gets the warning (issue 17:
    never a ✅ for a late plan); a start before it keeps the plain ✅ answer."""
    from sqlmodel import select

    from orders.models import RouteStep

    late, on_time = make_order(Status.PENDING_SCHEDULE), make_order(Status.PENDING_SCHEDULE)
    with rt.uow() as uow:
        for step in uow.session.exec(select(RouteStep).where(
                RouteStep.product_id == order_of(rt, late).product_id)).all():
            uow.session.delete(step)
        uow.commit()
    promised = order_of(rt, late).promised_date
    reply = say("planner", f"{late} 排产 {(promised + timedelta(days=5)).isoformat()}")
    order = order_of(rt, late)
    assert order.status == "scheduled" and order.planned_start > promised
    assert "✅" not in reply and f"晚于交期 {promised.isoformat()}" in reply and "没有工艺路线" in reply, reply
    reply = say("planner", f"{on_time} 排产 {(promised - timedelta(days=10)).isoformat()}")
    assert reply.startswith("✅") and "晚于交期" not in reply, reply
