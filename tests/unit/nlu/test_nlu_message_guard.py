"""ParseResult.guard: why a message naming an order or a waybill is no command (internal, not a contract key)."""

from __future__ import annotations

from datetime import datetime

import pytest

from nlu import parse

NOW = datetime(2026, 11, 25, 10, 0)
NO = "SO20261120-0042"


@pytest.mark.parametrize("text, guard", [
    (f"老王说“{NO} 已发货 顺丰 SF1402938475621”是假的", "test"),
    (f"{NO} 已发货 顺丰 SF1402938475621（测试，请忽略）", "test"),
    (f"开玩笑的，{NO} 自提", "test"),
    (f"张工说“{NO} 顺丰 SF1402938475621”", "quote"),
    (f"老王说{NO} 顺丰 SF1402938475621", "reported"),
    (f"如果顺丰 SF1402938475621就好了 {NO}", "condition"),
    (f"{NO} 是顺丰 SF1402938475621 吗", "question"),
    (f"{NO} 不是顺丰 SF1402938475621", "negation"),
    (f"{NO} 明天走顺丰", "plan"),
    (f"{NO} 顺丰 SF1402938475621", None),
    (f"{NO} 自提", None),
])
def test_a_message_that_is_no_command_says_which_guard_makes_it_so(text: str, guard: str | None) -> None:
    result = parse(text, NOW)
    assert result.intent in ("none", "query") and result.guard == guard


def test_the_guard_is_not_a_contract_key() -> None:
    assert "guard" not in parse(f"老王说{NO}已发货", NOW).to_contract_dict()


@pytest.mark.parametrize("text", [f"{NO} 快发货了", f"{NO} 快做完了", f"{NO} 就要入库了", f"老王说{NO}开工了",
                                  f"小李讲{NO}完工了", f"听仓库说{NO}已经发了", f"据说{NO}已经发了"])
def test_about_to_and_reported_are_no_state_change(text: str) -> None:
    assert parse(text, NOW).intent in ("none", "query")


@pytest.mark.parametrize("text, intent", [(f"{NO} 已发货，我跟客户说过了", "ship"), (f"我说了 {NO} 已发货", "ship"),
                                          (f"{NO} 排产 12月3日", "schedule")])
def test_first_hand_reports_and_dated_schedules_still_apply(text: str, intent: str) -> None:
    assert parse(text, NOW).intent == intent
