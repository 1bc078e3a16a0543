"""Chat v2 (issue #14), bot side: the new commands, ship before the waybill, corrections, undo, lists,
creating an order, never-silent replies, short references, quotes and voice.

Messages go through the signed bridge or the signed robot callback; the commands are also driven with a
ParseResult built here (CONTRACT §5 keys) through the same registry, and their chat-flow twins check that
the parser's reading reaches the same command.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from alerts.models import Alert, AlertRule
from bot.commands import COMMANDS, CommandContext
from bot.core import interpret
from bot.identity import identify
from bot.inbound import Incoming, store
from bot.models import ChatIdentity, InboundMessage
from core.db import new_session
from logistics.models import TrackingToken
from nlu.result import ParseResult
from orders.commands import move_to
from orders.models import Order, ProductionTask, StatusEvent
from orders.status import Status
from tests.factories import admin_actor
from tests.integration.bot.conftest import order_of, rows
from tests.integration.bot.wecom_client import bridge_headers, robot_message, robot_post


@dataclass(frozen=True)
class V2(ParseResult):
    """A parse result with CONTRACT §5's added keys (the parser's own class gains them when it lands)."""

    customer: str | None = None
    product: str | None = None
    quantity: int | None = None
    field: str | None = None


@pytest.fixture
def people(rt, factory):
    with rt.uow() as uow:
        for role, person in factory["people"].items():
            uow.session.add(ChatIdentity(platform="bridge", external_id=f"wx_{role}", staff_id=person.id))
        uow.commit()
    return factory["people"]


@pytest.fixture
def say(bot_app, people):
    """say('warehouse', 'SO… 已入库', chat='wx-ops') -> the reply in the bridge's answer ('' = none)."""
    client = bot_app.test_client()

    def send(role: str, text: str, chat: str = "wx-ops") -> str:
        body = json.dumps({"msg_id": uuid.uuid4().hex, "chat_id": chat, "chat_name": "生产群",
                           "sender_id": f"wx_{role}", "sender_name": role, "text": text,
                           "sent_at": int(time.time())}, ensure_ascii=False).encode()
        r = client.post("/bridge/messages", data=body, headers=bridge_headers(body))
        assert r.status_code == 200, r.data
        return r.json["reply"]

    return send


@pytest.fixture
def act(bot_app, rt, people):
    """act('sales', 'cancel', [no], reason='…') -> the reply of that chat command to that person."""

    def run(role: str, intent: str, orders: list[str], text: str = "", **fields) -> str:
        msg, _ = store(rt, Incoming(platform="bridge", platform_msg_id=uuid.uuid4().hex, text=text or intent,
                                    chat_id="wx-ops", chat_type="group", sender_id=f"wx_{role}", sender_name=role))
        with new_session(rt.engine) as s:
            sender = identify(s, platform="bridge", sender_id=f"wx_{role}", sender_name=role, chat_id="wx-ops")
        parsed = V2(intent=intent, orders=list(orders), **fields)
        with bot_app.app_context():  # jobs run inline and find the runtime as a worker does
            return COMMANDS[intent].func(CommandContext(rt, msg, parsed, sender, list(orders)))

    return run


def walk(rt, no: str, to: Status, **fields) -> None:
    with rt.uow() as uow:
        move_to(uow, no, to, actor=admin_actor(), fields=fields)
        uow.commit()


def last_event(rt, no: str) -> StatusEvent:
    order = order_of(rt, no)
    return max(rows(rt, StatusEvent, StatusEvent.order_id == order.id), key=lambda e: e.id)


# --- the remaining status moves ------------------------------------------------------------------
def test_start_finish_rework_done_by_production(act, rt, make_order):
    no = make_order(Status.SCHEDULED)
    assert "加工中" in act("production", "start", [no])
    assert "待质检" in act("production", "finish", [no])
    walk(rt, no, Status.REWORK, reason="毛刺")
    assert "待质检" in act("production", "rework_done", [no])
    assert order_of(rt, no).status == "pending_qc"
    assert last_event(rt, no).source == "chat" and last_event(rt, no).inbound_message_id


def test_materials_outsource_and_return(act, rt, make_order):
    no = make_order(Status.PENDING_REVIEW)
    walk(rt, no, Status.PENDING_PURCHASE)
    assert "待排产" in act("purchasing", "materials_ready", [no])
    assert "待委外" in act("planner", "outsource", [no])
    assert "待质检" in act("warehouse", "outsource_returned", [no])


def test_a_move_not_legal_now_is_refused_with_the_current_status(act, rt, make_order):
    no = make_order(Status.IN_STOCK)
    reply = act("production", "start", [no])
    assert "已入库" in reply and "✅" not in reply and order_of(rt, no).status == "in_stock"


def test_cancel_asks_for_the_reason_then_cancels_and_keeps_it(act, rt, make_order):
    no = make_order(Status.PENDING_SCHEDULE)
    assert "原因" in act("sales", "cancel", [no]) and order_of(rt, no).status == "pending_schedule"
    assert "没有权限" in act("production", "cancel", [no], reason="客户撤单")  # only sales may cancel
    assert "已取消" in act("sales", "cancel", [no], reason="客户撤单")
    assert last_event(rt, no).note == "客户撤单"


# --- ship before the waybill is known ------------------------------------------------------------
def test_ship_without_carrier_asks_for_the_waybill_and_the_notice_waits_for_it(act, say, rt, make_order):
    no = make_order(Status.IN_STOCK)
    reply = act("warehouse", "ship", [no], text=f"{no} 已发货")
    assert "已发货" in reply and "运单号" in reply and "自提" in reply
    order = order_of(rt, no)
    assert order.status == "shipped" and order.carrier is None and order.tracking_no is None
    assert rows(rt, TrackingToken, TrackingToken.order_id == order.id) == []  # no notice without a waybill
    reply = say("warehouse", f"{no} 顺丰 SF1402938475621")
    order = order_of(rt, no)
    assert (order.carrier, order.tracking_no) == ("顺丰", "SF1402938475621") and "运单已登记" in reply
    [token] = rows(rt, TrackingToken, TrackingToken.order_id == order.id)
    assert token.shipment_ref.startswith("wb")
    event = last_event(rt, no)
    assert event.command == "waybill" and event.data["tracking_no"] == [None, "SF1402938475621"]


def test_self_pickup_fill_in_sends_the_notice_at_once(act, say, rt, make_order):
    no = make_order(Status.IN_STOCK)
    act("warehouse", "ship", [no], text=f"{no} 已发货")
    assert "运单已登记" in say("warehouse", f"{no} 自提")
    order = order_of(rt, no)
    assert order.carrier == "自提" and len(rows(rt, TrackingToken, TrackingToken.order_id == order.id)) == 1


def test_a_waybill_for_an_order_not_shipped_is_refused(say, rt, make_order):
    no = make_order(Status.IN_STOCK)
    reply = say("warehouse", f"{no} 顺丰 SF1402938475621")
    assert "还没有发货" in reply and order_of(rt, no).tracking_no is None


def test_chat_ship_without_carrier(say, rt, make_order):
    no = make_order(Status.IN_STOCK)
    assert "运单号" in say("warehouse", f"{no} 已发货") and order_of(rt, no).status == "shipped"


# --- corrections ---------------------------------------------------------------------------------
def test_correct_the_waybill_reissues_the_notice_and_traces_old_to_new(act, rt, make_order):
    no = make_order(Status.SHIPPED)
    order = order_of(rt, no)
    before = rows(rt, TrackingToken, TrackingToken.order_id == order.id)
    reply = act("logistics", "correct", [no], field="tracking_no", tracking_no="SF9999999999999")
    assert "SF1402938475621 → SF9999999999999" in reply
    assert order_of(rt, no).tracking_no == "SF9999999999999" and order_of(rt, no).version == order.version + 1
    tokens = rows(rt, TrackingToken, TrackingToken.order_id == order.id)
    assert len(tokens) == len(before) + 1 and all(t.revoked_at for t in tokens if t.shipment_ref[:2] != "wb")


def test_a_waybill_typed_again_for_a_shipped_order_corrects_it_through_chat(say, rt, make_order):
    no = make_order(Status.SHIPPED)
    reply = say("logistics", f"{no} 顺丰 SF8888888888888")
    assert "SF1402938475621 → SF8888888888888" in reply and order_of(rt, no).tracking_no == "SF8888888888888"
    [token] = rows(rt, TrackingToken, TrackingToken.order_id == order_of(rt, no).id)
    assert token.shipment_ref.startswith("wb") and token.revoked_at is None


def test_correct_date_and_quantity_by_role(act, rt, make_order):
    no = make_order(Status.PENDING_SCHEDULE)
    day = (date.today() + timedelta(days=30)).isoformat()
    assert "没有权限" in act("warehouse", "correct", [no], field="date", date=day)
    assert day in act("sales", "correct", [no], field="date", date=day)
    assert "100 → 120" in act("planner", "correct", [no], field="quantity", quantity=120)
    order = order_of(rt, no)
    assert (order.promised_date.isoformat(), order.quantity) == (day, 120)
    assert "更正什么" in act("sales", "correct", [no])


# --- undo -----------------------------------------------------------------------------------------
def test_undo_reverses_ones_own_move_where_the_flow_allows(say, act, rt, make_order):
    no = make_order(Status.PENDING_SCHEDULE)
    day = (date.today() + timedelta(days=3)).isoformat()
    assert "已排产" in say("planner", f"{no} 排产 {day} 1号线")
    assert "只能撤回您自己" in act("sales", "undo", [no])
    reply = act("planner", "undo", [no])
    assert "已撤回" in reply and "排产" in reply and "10 分钟" in reply
    assert order_of(rt, no).status == "pending_schedule"


def test_undo_refuses_an_old_change_and_an_irreversible_one(act, rt, make_order):
    no = make_order(Status.IN_STOCK)
    act("warehouse", "ship", [no], text=f"{no} 已发货")
    assert "不能撤回" in act("warehouse", "undo", [no]) and order_of(rt, no).status == "shipped"
    other = make_order(Status.PENDING_SCHEDULE)
    act("sales", "correct", [other], field="quantity", quantity=150)
    event_id = last_event(rt, other).id
    with rt.uow() as uow:
        event = uow.session.get(StatusEvent, event_id)
        event.at = event.at - timedelta(minutes=11)
        uow.commit()
    assert "超过 10 分钟" in act("sales", "undo", [other]) and order_of(rt, other).quantity == 150


def test_undo_of_a_correction_restores_the_old_value(act, rt, make_order):
    no = make_order(Status.PENDING_SCHEDULE)
    act("sales", "correct", [no], field="quantity", quantity=150)
    assert "已撤回" in act("sales", "undo", [no]) and order_of(rt, no).quantity == 100


# --- lists ----------------------------------------------------------------------------------------
def test_list_ship_soon_shows_at_most_eight_and_links_the_rest(act, rt, make_order):
    soon = [make_order(Status.IN_STOCK, promised_date=date.today() + timedelta(days=1)) for _ in range(9)]
    later = make_order(Status.IN_STOCK, promised_date=date.today() + timedelta(days=9))
    reply = act("warehouse", "list", [], text="今天要发哪些")
    assert "共 9 个" in reply and sum(no in reply for no in soon) == 8 and later not in reply
    assert "还有 1 个" in reply and "/admin/orders?status=in_stock" in reply


def test_list_overdue_this_week_and_my_todo(act, rt, make_order):
    late = make_order(Status.SCHEDULED)
    late_id = order_of(rt, late).id
    with rt.uow() as uow:
        order = uow.session.get(Order, late_id)
        order.promised_date = date.today() - timedelta(days=2)
        uow.commit()
    review = make_order(Status.PENDING_REVIEW)
    assert late in act("planner", "list", [], text="逾期的") and review not in act("planner", "list", [], text="逾期的")
    assert review in act("planner", "list", [], text="我的待办")  # planners approve
    assert review not in act("qc", "list", [], text="我的待办")
    assert "哪个清单" in act("planner", "list", [], text="清单")


# --- create ---------------------------------------------------------------------------------------
def test_create_matches_master_data_and_confirms_what_was_understood(act, rt, factory):
    day = (date.today() + timedelta(days=20)).isoformat()
    reply = act("sales", "create", [], customer="测试机械", product="SH-100", quantity=200, date=day)
    [order] = rows(rt, Order)
    assert order.order_no in reply and "宁波测试机械有限公司" in reply and "200" in reply and day in reply
    assert order.status == "pending_review" and order.quantity == 200
    assert "交期缓冲" in reply and "历史不足" in reply  # the customer has no delivered order yet


def test_create_reply_shows_the_product_lines_buffer_too(act, rt, factory):
    with rt.uow() as uow:
        uow.session.get(type(factory["product"]), factory["product"].id).product_line = "外壳"
        uow.commit()
    day = (date.today() + timedelta(days=20)).isoformat()
    reply = act("sales", "create", [], customer="测试机械", product="SH-100", quantity=20, date=day)
    assert "交期缓冲（该客户·产品线 外壳）" in reply and "交期缓冲（产品线 外壳·全部客户）" in reply


def test_create_asks_instead_of_guessing(act, rt, factory):
    day = (date.today() + timedelta(days=20)).isoformat()
    with rt.uow() as uow:
        from orders.models import Customer
        uow.session.add(Customer(name="宁波测试机械二厂", short_name="测试机械二厂"))
        uow.commit()
    assert "对应多个" in act("sales", "create", [], customer="宁波测试", product="SH-100", quantity=5, date=day)
    assert "没有找到产品" in act("sales", "create", [], customer="测试机械", product="XX-9", quantity=5, date=day)
    assert "数量" in act("sales", "create", [], customer="测试机械", product="SH-100", date=day)
    assert "只有销售" in act("warehouse", "create", [], customer="测试机械", product="SH-100", quantity=5, date=day)
    assert rows(rt, Order) == []


# --- never silent ---------------------------------------------------------------------------------
def test_a_bridged_message_naming_an_order_gets_a_reply_chatter_does_not(say, rt, make_order):
    no = make_order(Status.IN_STOCK)
    reply = say("warehouse", f"{no} 好像有点问题")
    assert no in reply and "没有改动" in reply and "帮助" in reply
    assert say("warehouse", "那批货已发货了吗")  # a state word: some answer, never silence
    assert say("warehouse", "下班了兄弟们") == ""


def test_percent_over_100_is_refused(say, rt, make_order):
    no = make_order(Status.SCHEDULED)
    assert "0–100%" in say("production", f"{no} CNC加工 完成150%")
    assert all(t.progress == 0 for t in rows(rt, ProductionTask)) and order_of(rt, no).status == "scheduled"


# --- short references -----------------------------------------------------------------------------
def test_a_short_reference_prefers_the_order_the_command_fits(say, rt, make_order):
    stocked, queued = make_order(Status.IN_STOCK), make_order(Status.PENDING_QC)
    queued_id = order_of(rt, queued).id
    with rt.uow() as uow:  # give both the same daily sequence on different days
        order = uow.session.get(Order, queued_id)
        order.order_no = "SO20200101-" + stocked[-4:]
        uow.commit()
    assert "✅" in say("warehouse", f"{stocked[-4:]} 已发货 自提")
    assert order_of(rt, stocked).status == "shipped"


# --- quotes and voice -----------------------------------------------------------------------------
def test_quoting_an_alert_and_saying_received_acks_it(bot_app, rt, make_order):
    no = make_order(Status.SCHEDULED)
    order_id = order_of(rt, no).id
    with rt.uow() as uow:
        rule = AlertRule(code="t", name="测试", kind="not_scheduled", level="orange", recipients=["role:planner"])
        uow.session.add(rule)
        uow.session.flush()
        uow.session.add(Alert(rule_id=rule.id, order_id=order_id, order_no=no, level="orange"))
        uow.commit()
    body = robot_message("收到", userid="t.planner")
    body["quote"] = {"msgtype": "text", "text": {"content": f"⚠️ {no} 排产后 3 天未开工，请跟进"}}
    assert robot_post(bot_app.test_client(), body).status_code == 200
    [alert] = rows(rt, Alert)
    assert alert.status == "acked"


def test_quoted_order_number_applies_to_a_command_without_one(bot_app, rt, make_order):
    no = make_order(Status.PENDING_QC)
    with rt.uow() as uow:
        from orders.service import record_qc_pass
        record_qc_pass(uow, no, actor=admin_actor())
        uow.commit()
    body = robot_message("已入库", userid="t.warehouse")
    body["quote"] = {"msgtype": "text", "text": {"content": f"{no} 质检合格，请入库"}}
    robot_post(bot_app.test_client(), body)
    assert order_of(rt, no).status == "in_stock"


def test_voice_is_parsed_from_the_transcription_and_quoted_back(bot_app, rt, make_order):
    no = make_order(Status.IN_STOCK)
    body = robot_message("", msgtype="voice")
    body["voice"] = {"content": f"{no}已发货顺丰SF1402938475621"}
    robot_post(bot_app.test_client(), body)
    assert order_of(rt, no).status == "shipped"
    [msg] = rows(rt, InboundMessage)
    assert msg.reply_text.startswith("🎤 听到：") and no in msg.reply_text.splitlines()[0]


def test_interpret_keeps_the_text_orders_over_the_quote(rt, factory):
    msg = InboundMessage(platform="wecom_bot", platform_msg_id="x", text="SO20261120-0042 到哪了",
                         raw={"quote": {"msgtype": "text", "text": {"content": "SO20261120-0001 已发货"}}})
    assert interpret(rt, msg).orders == ["SO20261120-0042"]


# --- chat flow once the parser emits the new intents -----------------------------------------------
def test_chat_start(say, rt, make_order):
    no = make_order(Status.SCHEDULED)
    assert "加工中" in say("production", f"{no} 开工")


def test_chat_cancel(say, rt, make_order):
    no = make_order(Status.PENDING_SCHEDULE)
    assert "已取消" in say("sales", f"{no} 取消 客户撤单") and order_of(rt, no).status == "cancelled"


def test_chat_undo(say, rt, make_order):
    no = make_order(Status.PENDING_SCHEDULE)
    day = (date.today() + timedelta(days=3)).isoformat()
    say("planner", f"{no} 排产 {day} 1号线")
    assert "已撤回" in say("planner", f"{no} 撤回") and order_of(rt, no).status == "pending_schedule"


def test_chat_list(say, rt, make_order):
    no = make_order(Status.IN_STOCK, promised_date=date.today())
    assert no in say("warehouse", "今天要发哪些")
