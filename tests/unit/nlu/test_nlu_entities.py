"""Tracking numbers and carriers, dates, production lines, processes, percentages, QC reasons."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from nlu import parse
from nlu.dates import find_dates

SH = ZoneInfo("Asia/Shanghai")
WED = datetime(2026, 11, 25, 10, 0, tzinfo=SH)  # a Wednesday
ORDER = "SO20261120-0042"


@pytest.mark.parametrize(
    ("number", "carrier"),
    [
        ("SF1402938475621", "顺丰"), ("JDVA11408814483", "京东"), ("JDX000123456789", "京东"),
        ("YT8812345678901", "圆通"), ("JT0006968326954", "极兔"), ("DPK364112047425", "德邦"),
        ("KYE12345678901", "跨越"), ("EA123456789CN", "EMS"), ("9812345678901", "EMS"),
        ("1044123456789", "EMS"), ("773100200300", "申通"), ("773165231258960", "申通"),
        ("75312345678901", "中通"), ("78912345678901", "中通"), ("4312009988776", "韵达"),
        ("462598779470531", "韵达"),
    ],
)  # fmt: skip
def test_carrier_is_inferred_from_the_tracking_number_when_none_is_named(number: str, carrier: str) -> None:
    result = parse(f"{ORDER} 已发货 {number}", WED)
    assert (result.intent, result.tracking_no, result.carrier) == ("ship", number, carrier)


def test_tracking_number_is_upper_cased() -> None:
    assert parse(f"{ORDER} 已发 sf1402938475621", WED).tracking_no == "SF1402938475621"


def test_carrier_named_in_the_text_wins_over_the_prefix() -> None:
    assert parse(f"{ORDER} 已发货 中通 SF1402938475621", WED).carrier == "中通"


def test_unknown_prefix_keeps_the_number_without_a_carrier() -> None:
    result = parse(f"{ORDER} 已发货 单号 620012345678", WED)
    assert (result.tracking_no, result.carrier, result.intent) == ("620012345678", None, "ship")


@pytest.mark.parametrize("text", ["电话 13812345678", "身份证 110101199001011234", "数量 1200 件"])
def test_phone_id_and_quantities_are_not_tracking_numbers(text: str) -> None:
    assert parse(f"{ORDER} {text}", WED).tracking_no is None


@pytest.mark.parametrize(
    ("written", "carrier"),
    [
        ("顺丰速运", "顺丰"), ("SF", "顺丰"), ("京东物流", "京东"), ("中通快递", "中通"), ("圆通", "圆通"),
        ("申通", "申通"), ("韵达", "韵达"), ("德邦物流", "德邦"), ("J&T", "极兔"), ("极兔", "极兔"),
        ("中国邮政", "EMS"), ("邮政", "EMS"), ("EMS", "EMS"), ("跨越速运", "跨越"), ("客户自提", "自提"),
        ("客户自己来拉", "自提"),
    ],
)  # fmt: skip
def test_carrier_names_and_aliases_are_canonical(written: str, carrier: str) -> None:
    result = parse(f"{ORDER} 已发货 {written}", WED)
    assert (result.intent, result.carrier) == ("ship", carrier)


def test_boe_is_a_customer_not_jd() -> None:
    assert parse(f"{ORDER} 京东方的货已发出", WED).carrier is None


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("今天", "2026-11-25"), ("明天", "2026-11-26"), ("后天", "2026-11-27"), ("大后天", "2026-11-28"),
        ("下周一", "2026-11-30"), ("下星期五", "2026-12-04"), ("周三", "2026-11-25"), ("周二", "2026-12-01"),
        ("本周一", "2026-11-23"), ("11月28日", "2026-11-28"), ("11-28", "2026-11-28"), ("28号", "2026-11-28"),
        ("2026-12-05", "2026-12-05"), ("2026/12/5", "2026-12-05"), ("12.5", "2026-12-05"),
        ("十二月三日", "2026-12-03"), ("3天后", "2026-11-28"), ("下个月5号", "2026-12-05"), ("月底", "2026-11-30"),
        ("24号", "2026-11-24"), ("5号", "2026-12-05"),
    ],
)  # fmt: skip
def test_dates_resolve_against_now(written: str, expected: str) -> None:
    assert parse(f"{ORDER} 排产{written} 1号线", WED).date == expected


@pytest.mark.parametrize(
    ("now", "written", "expected"),
    [
        (date(2026, 12, 28), "1月5日", date(2027, 1, 5)),
        (date(2026, 12, 28), "12月26日", date(2026, 12, 26)),
        (date(2027, 1, 3), "12月28日", date(2026, 12, 28)),
        (date(2026, 3, 2), "12月28日", date(2026, 12, 28)),
    ],
)
def test_month_and_day_pick_the_sensible_year(now: date, written: str, expected: date) -> None:
    assert find_dates(written, now)[0][1] == expected


@pytest.mark.parametrize("text", ["1号线", "3号机", "2号仓", "5件", "1.5倍", "v1.2", "0.5mm"])
def test_numbers_that_are_not_dates(text: str) -> None:
    assert find_dates(text, date(2026, 11, 25)) == []


def test_date_follows_now_in_its_own_time_zone() -> None:
    late_utc = datetime(2026, 11, 25, 20, 0, tzinfo=ZoneInfo("UTC"))  # already 26 Nov in Shanghai
    assert parse(f"{ORDER} 排产明天", late_utc.astimezone(SH)).date == "2026-11-27"


@pytest.mark.parametrize(
    ("written", "line"),
    [
        ("1号线", "1号线"),
        ("2线", "2号线"),
        ("A线", "A线"),
        ("b线", "B线"),
        ("二号线", "2号线"),
        ("产线3", "3号线"),
    ],
)
def test_production_lines_are_canonical(written: str, line: str) -> None:
    assert parse(f"{ORDER} 排到{written}", WED).line == line


@pytest.mark.parametrize(
    ("text", "process", "percent"),
    [
        ("焊接完成80%", "焊接", 80), ("折弯完成80％", "折弯", 80), ("喷涂百分之八十", "喷涂", 80),
        ("CNC加工完成8成", "CNC加工", 80), ("热处理完成一半", "热处理", 50), ("打磨做完了", "打磨", 100),
        ("电镀完工", "电镀", 100), ("进度12.5%", None, 12.5),
    ],
)  # fmt: skip
def test_progress_report_carries_process_and_percent(text: str, process: str | None, percent: float) -> None:
    result = parse(f"{ORDER} {text}", WED)
    assert (result.intent, result.process, result.percent) == ("report", process, percent)


def test_route_processes_passed_in_are_recognised() -> None:
    result = parse(f"{ORDER} 真空钎焊完成60%", WED, processes=["真空钎焊"])
    assert (result.intent, result.process, result.percent) == ("report", "真空钎焊", 60)


def test_quantity_after_a_done_process_is_not_a_percentage() -> None:
    result = parse(f"{ORDER} 焊接完成80件", WED)
    assert (result.intent, result.process, result.percent) == ("report", "焊接", None)


@pytest.mark.parametrize("text", ["良率95%", "预付30%", "合格率98%", "焊接还剩20%"])
def test_money_yield_and_remaining_percentages_are_not_progress(text: str) -> None:
    assert parse(f"{ORDER} {text}", WED).intent == "none"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (f"{ORDER} 质检不通过 螺纹不良 返工", "螺纹不良"),
        (f"{ORDER} 质检NG，孔位偏了2mm，需要返工", "孔位偏了2mm"),
        (f"{ORDER} 全检不合格：原因是焊缝有气孔", "焊缝有气孔"),
    ],
)
def test_qc_failure_reason_drops_order_verdict_and_rework_words(text: str, reason: str) -> None:
    result = parse(text, WED)
    assert (result.intent, result.reason) == ("qc_fail", reason)


def test_qc_failure_without_a_reason_has_none() -> None:
    assert parse(f"{ORDER} 质检不合格", WED).reason is None


@pytest.mark.parametrize(
    ("text", "intent", "batches", "reason"),
    [
        (f"{ORDER} 质检不合格 毛刺 批次B2311", "qc_fail", ["B2311"], "毛刺"),
        (f"{ORDER} 质检不合格 毛刺 批次B2311、b2312", "qc_fail", ["B2311", "B2312"], "毛刺"),
        (f"{ORDER} 质检不合格，批号：B-2311/B-2312 尺寸超差", "qc_fail", ["B-2311", "B-2312"], "尺寸超差"),
        (f"{ORDER} 质检不合格 批次 B2311 2件毛刺", "qc_fail", ["B2311"], "2件毛刺"),
        (f"{ORDER} 质检合格 批次 B2311 和 B2312", "qc_pass", ["B2311", "B2312"], None),
        (f"{ORDER} 质检不合格，该批次毛刺严重", "qc_fail", [], "该批次毛刺严重"),
    ],
)
def test_qc_verdict_carries_its_material_batches_apart_from_the_reason(text, intent, batches, reason) -> None:
    result = parse(text, WED)
    assert (result.intent, result.batches, result.reason) == (intent, batches, reason)


def test_batches_are_not_a_contract_key_of_the_filter() -> None:
    assert "batches" not in parse(f"{ORDER} 质检合格 批次B2311", WED).to_contract_dict()
