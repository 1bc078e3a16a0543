"""Order references: full numbers in every variant, ERP aliases, short references."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from nlu import parse

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
ORDER = "SO20261120-0042"


@pytest.mark.parametrize(
    "written",
    [
        "SO20261120-0042", "so20261120-0042", "ＳＯ２０２６１１２０－００４２", "SO-20261120-0042",
        "SO 20261120-0042", "SO20261120 0042", "SO202611200042", "So20261120—0042", "SO20261120_0042",
        "SO20261120-42", "20261120-0042",
    ],
)  # fmt: skip
def test_every_variant_of_an_order_number_is_canonical(written: str) -> None:
    assert parse(f"{written} 已入库", NOW).orders == [ORDER]


def test_orders_come_in_order_of_appearance_without_repeats() -> None:
    text = "SO20261121-0103 SO20261118-0007 so20261121-0103 已入库"
    assert parse(text, NOW).orders == ["SO20261121-0103", "SO20261118-0007"]


@pytest.mark.parametrize(
    "text", ["SO2026112-0042 已入库", "SO20261320-0042 已入库", "SO20261120-00421 已入库"]
)
def test_malformed_order_number_is_not_an_order_and_changes_nothing(text: str) -> None:
    result = parse(text, NOW)
    assert result.orders == [] and result.intent in ("none", "query")


def test_erp_alias_resolves_to_its_canonical_order() -> None:
    result = parse("ERP-88231 已入库", NOW, aliases={"ERP-88231": ORDER})
    assert (result.intent, result.orders, result.alias_hits) == ("stock_in", [ORDER], ["ERP-88231"])


@pytest.mark.parametrize("written", ["erp-88231", "ERP88231", "ERP 88231", "erp_88231"])
def test_erp_alias_matches_whatever_its_case_and_separator(written: str) -> None:
    assert parse(f"{written} 质检合格", NOW, aliases={"ERP-88231": ORDER}).orders == [ORDER]


def test_alias_and_canonical_number_of_the_same_order_count_once() -> None:
    result = parse(f"XS2026-0042（{ORDER}）已签收", NOW, aliases={"XS2026-0042": ORDER.lower()})
    assert (result.intent, result.orders) == ("deliver", [ORDER])


def test_alias_unknown_to_the_mapping_is_not_an_order() -> None:
    assert parse("ERP-99999 已入库", NOW, aliases={"ERP-88231": ORDER}).orders == []


@pytest.mark.parametrize(
    "text", ["0042单 已入库", "42号单已入库", "尾号0042 已入库", "单号0042 已入库", "0042 已入库"]
)
def test_short_reference_resolves_when_exactly_one_open_order_ends_with_it(text: str) -> None:
    result = parse(text, NOW, open_orders=[ORDER, "SO20261118-0007"])
    assert (result.intent, result.orders, result.short_refs) == ("stock_in", [ORDER], [])


def test_ambiguous_short_reference_is_left_for_the_caller_to_ask() -> None:
    result = parse("0042单 已入库", NOW, open_orders=[ORDER, "SO20261121-0042"])
    assert (result.orders, result.short_refs) == ([], ["0042"])
    assert result.intent == "stock_in"


def test_short_reference_without_open_orders_is_reported_not_resolved() -> None:
    result = parse("42号单 已发货 顺丰 SF1402938475621", NOW)
    assert (result.intent, result.orders, result.short_refs) == ("ship", [], ["0042"])


@pytest.mark.parametrize(
    "text", ["早上0830到岗", "订单2000件已入库", "今天出了1000单", "电话0755-12345678 已发货", "#12机台"]
)
def test_numbers_that_are_not_short_references(text: str) -> None:
    assert parse(text, NOW).short_refs == []


def test_question_about_a_short_reference_is_a_query() -> None:
    result = parse("0042单 到哪了", NOW, open_orders=[ORDER])
    assert (result.intent, result.orders) == ("query", [ORDER])


def test_contract_dict_has_exactly_the_contract_keys() -> None:
    result = parse(f"{ORDER} 已发货 顺丰 SF1402938475621", NOW)
    assert list(result.to_contract_dict()) == [
        "intent", "orders", "carrier", "tracking_no", "date", "line", "process", "percent", "reason",
        "customer", "product", "quantity", "field",
    ]  # fmt: skip


def test_date_style_short_reference_resolves_against_open_orders_or_is_left_to_the_caller() -> None:
    text = "1121-0005 已发 德邦 DPK364112047425"
    resolved = parse(text, NOW, open_orders=["SO20261121-0005", "SO20261120-0005"])
    assert (resolved.intent, resolved.orders, resolved.short_refs) == ("ship", ["SO20261121-0005"], [])
    unresolved = parse(text, NOW)
    assert (unresolved.orders, unresolved.short_refs) == ([], ["1121-0005"])
