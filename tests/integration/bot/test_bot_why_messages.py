"""Issue #14 ("Chat v2"), done when: every message listed under its "Why" gets the right reply and effect
through signed robot callbacks, and the false changes (reported speech, quotes, tests, jokes, plans,
conditions) leave the order exactly as it was: status, waybill, no status event, no notice, no token.

Each message goes through the real /wecom/bot callback (encrypted and signed by the test-side client,
jobs inline); the reply is the one queued for the robot's response_url. A few go through the chat
playground's send path too, which hands them to the same pipeline.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import select

from bot.models import InboundMessage
from core.db import new_session
from logistics.models import TrackingToken
from notify.models import Notification
from orders.models import Order, ProductionTask, RouteStep, StatusEvent
from orders.status import Status
from tests.integration.bot.conftest import order_of, rows
from tests.integration.bot.wecom_client import robot_message, robot_post
from web.playground_bot import Said, send

WAYBILL = "SF1402938475621"  # the factory's walk ships with this one


@pytest.fixture
def robot(bot_app, rt, factory):
    """robot('warehouse', 'SO… 已发货', quote='…') -> the reply the robot sends back for that message."""
    client = bot_app.test_client()

    def post(role: str, text: str, quote: str | None = None) -> str:
        msgid = uuid.uuid4().hex
        body = robot_message(text, msgid=msgid, userid=f"t.{role}")
        if quote:
            body["quote"] = {"msgtype": "text", "text": {"content": quote}}
        assert robot_post(client, body).status_code == 200
        [inbound] = rows(rt, InboundMessage, InboundMessage.platform_msg_id == msgid)
        [reply] = rows(rt, Notification, Notification.dedupe_key == f"reply:{inbound.id}")
        return reply.body

    return post


@pytest.fixture
def playground(rt, factory):
    """playground('warehouse', 'SO… 已发货') -> the reply the chat playground shows."""

    def say(role: str, text: str) -> str:
        person = factory["people"][role]
        [reply] = send(rt, Said(staff_userid=person.userid, staff_name=person.name, chat_id="", chat_name="",
                                text=text, signed_in_as="admin"))
        return reply

    return say


def renumber(rt, no: str, new_no: str) -> str:
    """Give an order another number (another day or year, same daily sequence)."""
    order_id = order_of(rt, no).id
    with rt.uow() as uow:
        uow.session.get(Order, order_id).order_no = new_no
        uow.commit()
    return new_no


def state(rt, no: str) -> tuple:
    """Everything a false change would touch: the order, its events and tokens, every notice sent."""
    order = order_of(rt, no)
    with new_session(rt.engine) as s:
        events = s.exec(select(func.count()).select_from(StatusEvent).where(StatusEvent.order_id == order.id)).one()
        tokens = sorted((t.id, t.revoked_at) for t in s.exec(
            select(TrackingToken).where(TrackingToken.order_id == order.id)).all())
        notices = s.exec(select(func.count()).select_from(Notification).where(Notification.kind != "reply")).one()
    return order.status, order.carrier, order.tracking_no, order.version, events, tokens, notices


def test_start_with_an_order_number(robot, rt, make_order):
    no = make_order(Status.SCHEDULED)
    assert "加工中" in robot("production", f"{no} 开工")
    assert order_of(rt, no).status == "in_production"


@pytest.mark.parametrize("text", ["开工了", "今天开始做了"])
def test_a_bare_start_takes_the_quoted_order(robot, rt, make_order, text):
    no = make_order(Status.SCHEDULED)
    assert "加工中" in robot("production", text, quote=f"{no} 已排产，请按计划开工")
    assert order_of(rt, no).status == "in_production"


def test_a_bare_start_without_any_order_asks_for_one(robot, rt, make_order):
    no = make_order(Status.SCHEDULED)
    before = state(rt, no)
    assert "订单号" in robot("production", "开工了")
    assert state(rt, no) == before


def test_ship_without_a_waybill_ships_and_asks_for_it(robot, rt, make_order):
    no = make_order(Status.IN_STOCK)
    reply = robot("warehouse", f"{no} 已发货")
    assert "已发货" in reply and "运单号" in reply
    order = order_of(rt, no)
    assert order.status == "shipped" and order.tracking_no is None
    assert rows(rt, TrackingToken, TrackingToken.order_id == order.id) == []  # the notice waits for the waybill


def test_a_bare_ship_takes_the_quoted_order(robot, rt, make_order):
    no = make_order(Status.IN_STOCK)
    assert "运单号" in robot("warehouse", "发货了", quote=f"{no} 已入库")
    assert order_of(rt, no).status == "shipped"


def test_cancel_with_its_reason(robot, rt, make_order):
    no = make_order(Status.PENDING_SCHEDULE)
    assert "已取消" in robot("sales", f"{no} 取消 客户不要了")
    order = order_of(rt, no)
    assert order.status == "cancelled"
    assert "客户不要了" in max(rows(rt, StatusEvent, StatusEvent.order_id == order.id), key=lambda e: e.id).note


def test_undo_of_the_senders_own_last_change(robot, rt, make_order):
    no = make_order(Status.SHIPPED)
    assert "→ SF9999999999999" in robot("logistics", f"{no} 运单号改为 SF9999999999999")
    assert "只能撤回您自己" in robot("warehouse", f"{no} 发错了，撤回")  # not the warehouse's change
    assert order_of(rt, no).tracking_no == "SF9999999999999"
    assert "已撤回" in robot("logistics", f"{no} 发错了，撤回")
    assert order_of(rt, no).tracking_no == WAYBILL


def test_an_erp_alias_approving(robot, rt, make_order):
    no = make_order(Status.PENDING_REVIEW)
    order_id = order_of(rt, no).id
    with rt.uow() as uow:
        uow.session.get(Order, order_id).erp_no = "ERP-2026-10384"
        uow.commit()
    assert no in robot("planner", "ERP-2026-10384 可以，通过")
    assert order_of(rt, no).status == "pending_schedule"


def test_a_date_style_reference_ships_with_the_waybill(robot, rt, make_order):
    no = renumber(rt, make_order(Status.IN_STOCK), f"SO{date.today().year}1121-0005")
    assert "✅" in robot("warehouse", "1121-0005 已发 德邦 DPK1234567890")
    order = order_of(rt, no)
    assert (order.status, order.carrier, order.tracking_no) == ("shipped", "德邦", "DPK1234567890")


def test_a_date_style_reference_over_years_picks_the_order_that_can_ship(robot, rt, make_order):
    year = date.today().year
    older = renumber(rt, make_order(Status.PENDING_QC), f"SO{year - 1}1121-0005")
    ready = renumber(rt, make_order(Status.IN_STOCK), f"SO{year}1121-0005")
    assert ready in robot("warehouse", "1121-0005 已发 德邦 DPK1234567890")
    assert order_of(rt, ready).status == "shipped" and order_of(rt, older).status == "pending_qc"


def test_a_date_style_reference_still_ambiguous_lists_at_most_five(robot, rt, make_order):
    made = [renumber(rt, make_order(Status.IN_STOCK), f"SO{2020 + i}1121-0005") for i in range(6)]
    before = [state(rt, no) for no in made]
    reply = robot("warehouse", "1121-0005 已发 德邦 DPK1234567890")
    assert "对应多个订单" in reply and sum(no in reply for no in made) == 5 and "等 6 个" in reply
    assert [state(rt, no) for no in made] == before


def test_a_date_style_reference_to_a_closed_order_says_so(robot, rt, make_order):
    no = renumber(rt, make_order(Status.PENDING_SCHEDULE), f"SO{date.today().year}1121-0005")
    robot("sales", f"{no} 取消 客户不要了")
    reply = robot("warehouse", "查一下 1121-0005")
    assert no in reply and "已取消" in reply and "没有找到" not in reply


def test_query_by_a_date_style_reference(robot, rt, make_order):
    no = renumber(rt, make_order(Status.IN_PRODUCTION), f"SO{date.today().year}1124-0006")
    reply = robot("planner", "查一下 1124-0006")
    assert no in reply and "加工中" in reply and order_of(rt, no).status == "in_production"


def test_a_process_report_by_a_date_style_reference(robot, rt, make_order, factory):
    with rt.uow() as uow:
        uow.session.add(RouteStep(product_id=factory["product"].id, seq=4, process="车削", std_hours_per_100=1.0))
        uow.commit()
    no = renumber(rt, make_order(Status.IN_PRODUCTION), f"SO{date.today().year}1126-0008")
    reply = robot("production", "1126-0008 车削完成")
    assert no in reply and "车削" in reply and "100%" in reply
    order = order_of(rt, no)
    [task] = rows(rt, ProductionTask, ProductionTask.order_id == order.id, ProductionTask.process == "车削")
    assert task.progress == 100


@pytest.mark.parametrize("text", ["完工", "做完了"])
def test_a_bare_finish_takes_the_quoted_order(robot, rt, make_order, text):
    no = make_order(Status.IN_PRODUCTION)
    assert "待质检" in robot("production", text, quote=f"{no} 开工了")
    assert order_of(rt, no).status == "pending_qc"


def test_a_short_reference_with_many_candidates_ships_the_one_that_can(robot, rt, make_order):
    year = date.today().year
    others = [renumber(rt, make_order(status), f"SO{year}01{10 + i}-0008")
              for i, status in enumerate((Status.PENDING_QC, Status.IN_PRODUCTION, Status.SCHEDULED))]
    ready = renumber(rt, make_order(Status.IN_STOCK), f"SO{year}0120-0008")
    reply = robot("warehouse", "0008发了 顺丰SF1234567890123")
    assert ready in reply and "✅" in reply
    order = order_of(rt, ready)
    assert (order.status, order.tracking_no) == ("shipped", "SF1234567890123")
    assert [order_of(rt, no).status for no in others] == ["pending_qc", "in_production", "scheduled"]


def test_correct_the_waybill(robot, rt, make_order):
    no = make_order(Status.SHIPPED)
    assert f"{WAYBILL} → SF8888888888888" in robot("logistics", f"{no} 运单号改为 SF8888888888888")
    assert order_of(rt, no).tracking_no == "SF8888888888888"


@pytest.mark.parametrize("text", ["{no} 焊接完成 120%", "焊接完成 120%"])
def test_a_progress_over_100_is_refused(robot, rt, make_order, text):
    no = make_order(Status.IN_PRODUCTION)
    before = state(rt, no)
    assert "0–100%" in robot("production", text.format(no=no))
    assert state(rt, no) == before


def test_lists(robot, rt, make_order):
    soon = make_order(Status.IN_STOCK, promised_date=date.today())
    review = make_order(Status.PENDING_REVIEW)
    assert soon in robot("warehouse", "今天要发哪些")
    assert review in robot("planner", "我的待办")


# --- false changes: nothing moves, nothing is sent --------------------------------------------------
SHIPPED_FALSE = [
    "老王说“{no} 已发货 顺丰 SF1111111111111”是假的",
    "{no} 已发货 顺丰 SF4444444444444（测试，请忽略）",
    "如果顺丰 SF4444444444444就好了 {no}",
    "开玩笑的，{no} 自提",
]


@pytest.mark.parametrize("text", SHIPPED_FALSE)
def test_false_waybills_leave_a_shipped_order_alone(robot, rt, make_order, text):
    no = make_order(Status.SHIPPED)
    before = state(rt, no)
    reply = robot("logistics", text.format(no=no))
    assert "没有改动" in reply and "运单已登记" not in reply and "✅" not in reply
    assert state(rt, no) == before


def test_a_correction_someone_else_reported_is_no_correction(robot, rt, make_order):
    no = make_order(Status.SHIPPED)
    before = state(rt, no)
    reply = robot("logistics", f"张工说{no}运单号改为 SF5555555555555")
    assert "已更正" not in reply and "✅" not in reply  # read as a question about the order at most
    assert state(rt, no) == before


@pytest.mark.parametrize("status, text", [
    (Status.IN_STOCK, "{no} 快发货了"),
    (Status.IN_PRODUCTION, "{no} 快完工了"),
    (Status.IN_PRODUCTION, "{no} 快做完了"),
    (Status.PENDING_QC, "{no} 快入库了"),
    (Status.SCHEDULED, "{no} 快开工了"),
    (Status.IN_STOCK, "{no} 马上就要发货了"),
    (Status.IN_STOCK, "{no} 明天发货"),
    (Status.SCHEDULED, "{no} 准备开工"),
])
def test_about_to_or_planned_is_no_change(robot, rt, make_order, status, text):
    no = make_order(status)
    before = state(rt, no)
    reply = robot("manager", text.format(no=no))
    assert "计划" in reply and "没有改动" in reply and "✅" not in reply
    assert state(rt, no) == before


@pytest.mark.parametrize("status, text", [
    (Status.SCHEDULED, "老王说{no}开工了"),
    (Status.IN_STOCK, "张工说{no}已发货"),
    (Status.IN_PRODUCTION, "小李讲{no}完工了"),
    (Status.IN_STOCK, "听仓库说{no}已经发了"),
    (Status.SHIPPED, "司机告诉我{no}已经送到了"),
])
def test_reported_speech_is_no_change_and_says_to_report_first_hand(robot, rt, make_order, status, text):
    no = make_order(status)
    before = state(rt, no)
    reply = robot("manager", text.format(no=no))
    assert "转述" in reply and "没有改动" in reply and f"{no} " in reply
    assert state(rt, no) == before


def test_a_scheduled_date_still_schedules(robot, rt, make_order):
    no = make_order(Status.PENDING_SCHEDULE)
    day = date.today() + timedelta(days=3)
    assert "已排产" in robot("planner", f"{no} 排产 {day.month}月{day.day}日 1号线")
    order = order_of(rt, no)
    assert order.status == "scheduled" and order.planned_start >= day  # the plan may move to a working day


# --- the same pipeline from the chat playground ------------------------------------------------------
def test_playground_applies_first_hand_reports(playground, rt, make_order):
    no = make_order(Status.SCHEDULED)
    assert "加工中" in playground("production", f"{no} 开工")
    shipped = make_order(Status.IN_STOCK)
    assert "运单号" in playground("warehouse", f"{shipped} 已发货")
    assert "运单已登记" in playground("warehouse", f"{shipped} 顺丰 SF7777777777777")
    assert order_of(rt, shipped).tracking_no == "SF7777777777777"


@pytest.mark.parametrize("text", [SHIPPED_FALSE[0], SHIPPED_FALSE[1], "老王说{no}已发货", "{no} 快发货了"])
def test_playground_false_changes_leave_the_order_alone(playground, rt, make_order, text):
    no = make_order(Status.SHIPPED)
    before = state(rt, no)
    assert "没有改动" in playground("logistics", text.format(no=no))
    assert state(rt, no) == before


def test_a_joke_quoting_an_order_fills_no_waybill_a_plain_fill_does(robot, rt, make_order):
    no = make_order(Status.IN_STOCK)
    robot("warehouse", f"{no} 已发货")
    before = state(rt, no)
    assert "没有改动" in robot("warehouse", "开玩笑的，送货", quote=f"{no} 已发货")
    assert state(rt, no) == before
    assert "运单已登记" in robot("warehouse", "送货", quote=f"{no} 已发货")
    assert order_of(rt, no).carrier == "送货"
