"""Intent classification and its guards: the parser never guesses a state change."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from nlu import STATE_CHANGING, parse

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))  # a Monday
ORD = "SO20260226-0018"
T = "SF1288001122334"


def intent(text: str) -> str:
    return parse(text, NOW).intent


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"{ORD} 已发货 顺丰 {T}", "ship"), (f"{ORD} 物流已取件", "pickup"), (f"{ORD} 客户签收了", "deliver"),
        (f"{ORD} 审核OK", "approve"), (f"{ORD} 排产3月5日 1号线", "schedule"), (f"{ORD} 折弯完成80%", "report"),
        (f"{ORD} 质检OK", "qc_pass"), (f"{ORD} 质检不通过 螺纹不良 返工", "qc_fail"), (f"{ORD} 已入库", "stock_in"),
        (f"{ORD} 收到预警，马上处理", "ack"), (f"{ORD} 现在什么状态", "query"), ("使用说明", "help"),
        ("下班了兄弟们", "none"),
    ],
)  # fmt: skip
def test_each_intent_is_recognised(text: str, expected: str) -> None:
    assert intent(text) == expected


@pytest.mark.parametrize(
    "state_words", ["货已发给客户 顺丰 SF1288001122334", "仓库说已入库", "质检合格", "客户签收了", "审核通过"]
)
def test_state_change_needs_an_order_reference_unless_a_bare_command(state_words: str) -> None:
    assert intent(state_words) in ("none", "query")


@pytest.mark.parametrize(
    "text",
    [f"{ORD} 发货了没有？", f"{ORD} 发了没", f"{ORD} 什么时候发货", f"{ORD} 是否已发货", f"{ORD} 有没有发货",
     f"{ORD} 发货了吗 顺丰 {T}", f"{ORD} 能不能今天发", f"{ORD} 已发货还是没发", f"{ORD} 发货否"],
)  # fmt: skip
def test_question_about_shipping_does_not_ship(text: str) -> None:
    assert intent(text) == "query"


@pytest.mark.parametrize(
    "text",
    [f"{ORD} 还没发货", f"{ORD} 未发货 顺丰", f"{ORD} 别发了", f"{ORD} 不要发顺丰", f"{ORD} 暂停发货", f"{ORD} 取消发货",
     f"{ORD} 不用发了", f"{ORD} 发不了 顺丰 {T}", f"{ORD} 已发货 顺丰 {T} 客户要求拦截"],
)  # fmt: skip
def test_negated_shipping_does_not_ship(text: str) -> None:
    assert intent(text) in ("none", "query")


@pytest.mark.parametrize(
    "text",
    [f"{ORD} 明天发货 顺丰 {T}", f"{ORD} 下午发货", f"{ORD} 准备发货 顺丰", f"{ORD} 打算发德邦", f"{ORD} 预计周五发出",
     f"{ORD} 待会发 {T}", f"{ORD} 要发货了", f"{ORD} 推迟到下周发货", f"{ORD} 3点发货 顺丰 {T}", f"{ORD} 周五发货 {T}"],
)  # fmt: skip
def test_shipping_planned_for_later_does_not_ship(text: str) -> None:
    assert intent(text) in ("none", "query")


@pytest.mark.parametrize(
    "text",
    [f"把 {ORD} 的报价单发我", f"{ORD} 发票已寄出 顺丰 {T}", f"{ORD} 样品已寄出 {T}", f"{ORD} 图纸发你了",
     f"{ORD} 合同已发邮箱", f"{ORD} 发个定位", f"{ORD} 发货单打印一下"],
)  # fmt: skip
def test_something_else_being_sent_is_not_shipping(text: str) -> None:
    assert intent(text) in ("none", "query")


@pytest.mark.parametrize(
    "text", [f"如果 {ORD} 质检OK就发货 {T}", f"等 {ORD} 质检合格了再入库", f"{ORD} 要是客户付款就发"]
)
def test_conditional_statement_changes_nothing(text: str) -> None:
    assert intent(text) in ("none", "query")


def test_done_ship_needs_no_carrier_the_bot_asks_for_the_waybill() -> None:
    assert intent(f"{ORD} 已发货") == "ship"
    assert intent("发货了") == "ship"
    assert intent(f"{ORD} 已发货 德邦") == "ship"
    assert intent(f"{ORD} 客户自提，已出库") == "ship"


def test_bare_ship_word_needs_a_tracking_number() -> None:
    assert intent(f"{ORD} 发货 顺丰") == "none"
    assert intent(f"{ORD} 发货 顺丰 {T}") == "ship"


def test_schedule_takes_its_date_as_a_parameter_not_as_a_plan() -> None:
    result = parse(f"{ORD} 排到后天", NOW)
    assert (result.intent, result.date) == ("schedule", "2026-03-04")


def test_schedule_without_date_or_line_is_not_applied() -> None:
    assert intent(f"{ORD} 排产") == "none"


def test_acknowledgement_versus_customer_receiving_goods() -> None:
    assert intent(f"{ORD} 收到") == "ack"
    assert intent(f"{ORD} 收到货了") == "deliver"
    assert intent(f"{ORD} 客户签收了") == "deliver"
    assert intent(f"{ORD} 收到款了") == "none"
    assert intent("收到") == "none"


def test_approval_turned_down_is_not_a_qc_failure() -> None:
    assert intent(f"{ORD} 审核不通过，价格不对") == "none"


def test_rework_needed_is_a_qc_failure_but_rework_done_is_not() -> None:
    assert intent(f"{ORD} 外观划伤 需要返工") == "qc_fail"
    assert intent(f"{ORD} 返工完成") == "rework_done"
    assert intent(f"{ORD} 返工后复检合格") == "qc_pass"


def test_in_process_inspection_is_not_the_order_qc() -> None:
    assert intent(f"{ORD} 首件合格") == "none"
    assert intent(f"{ORD} 来料检验不合格") == "none"


def test_most_advanced_state_wins() -> None:
    assert intent(f"{ORD} 质检合格 已入库") == "stock_in"
    assert intent(f"{ORD} 已入库，明天发货") == "stock_in"


def test_statement_taken_back_later_changes_nothing() -> None:
    assert intent(f"{ORD} 物流显示已签收，但客户说没收到") in ("none", "query")
    assert intent(f"{ORD} 昨天说发顺丰，到现在还没发") in ("none", "query")


def test_several_orders_with_different_news_change_nothing() -> None:
    assert intent(f"{ORD} 已发货 顺丰 {T}，SO20260227-0102 明天发") in ("none", "query")
    assert intent(f"{ORD} 已入库 SO20260227-0102 没有") in ("none", "query")
    result = parse(f"{ORD} SO20260227-0102 都已发出 申通 773100200300", NOW)
    assert (result.intent, result.orders) == ("ship", [ORD, "SO20260227-0102"])


@pytest.mark.parametrize("text", ["帮助", "help", "?", "？", "怎么用", "命令", "@订单助手 使用说明"])
def test_help_requests(text: str) -> None:
    assert intent(text) == "help"


def test_thanks_for_help_is_not_a_help_request() -> None:
    assert intent("谢谢你的帮助") == "none"


@pytest.mark.parametrize("text", [ORD, f"{ORD} 状态", f"查一下 {ORD}", f"{ORD} 到哪了", f"{ORD} 进度"])
def test_asking_about_an_order_is_a_query(text: str) -> None:
    assert intent(text) == "query"


def test_result_says_whether_it_changes_state() -> None:
    result = parse(f"{ORD} 已入库", NOW)
    assert result.changes_state and result.intent in STATE_CHANGING
    assert not parse(f"{ORD} 入库了吗", NOW).changes_state
