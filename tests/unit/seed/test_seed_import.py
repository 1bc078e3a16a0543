"""Order import from CSV: row-by-row Chinese report, Excel encodings, no traceback for any file."""

from __future__ import annotations

import random
from datetime import date

import pytest
from flask.cli import ScriptInfo
from sqlmodel import func, select

from cli import cli
from core.db import new_session
from orders.importer import import_csv
from orders.models import Order, StatusEvent
from tests.factories import basic_factory

HEADER = "客户,产品编码,数量,交期,ERP单号,优先级,备注\n"
GOOD = (HEADER
        + "宁波测试机械有限公司,SH-100,1200,2026-12-10,ERP-2026-20001,加急,随货附材质证明\n"
        + "测试机械,sh-100,\"1,500\",2026/12/11,ERP-2026-20002,,\n"
        + "测试机械,SH-100,300件,2026年12月12日,,特急,\n")


@pytest.fixture
def rt(app):
    runtime = app.extensions["ops"]
    with runtime.uow() as uow:
        basic_factory(uow)
        uow.commit()
    return runtime


def _write(tmp_path, content: str | bytes, name: str = "orders.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
    return path


def _orders(rt) -> list[Order]:
    with new_session(rt.engine) as session:
        return list(session.exec(select(Order).order_by(Order.id)).all())


def test_good_file_creates_each_order_and_says_so_row_by_row(rt, tmp_path):
    report = import_csv(rt, _write(tmp_path, GOOD))
    orders = _orders(rt)
    assert report.failed == 0 and report.created == 3
    assert report.lines()[:3] == [f"第 {i + 2} 行：成功 {o.order_no}" for i, o in enumerate(orders)]
    assert report.lines()[-1] == "导入完成：成功 3 行，更新 0 行，失败 0 行，跳过 0 行。"
    assert [o.quantity for o in orders] == [1200, 1500, 300]
    assert [o.promised_date for o in orders] == [date(2026, 12, 10), date(2026, 12, 11), date(2026, 12, 12)]
    assert [o.priority for o in orders] == ["high", "normal", "urgent"]
    assert orders[0].erp_no == "ERP-2026-20001" and orders[0].internal_note == "随货附材质证明"
    with new_session(rt.engine) as session:
        created = session.exec(select(StatusEvent).where(StatusEvent.order_id == orders[0].id)).one()
    assert (created.source, created.actor, created.to_status) == ("import", "导入", "pending_review")


def test_bad_rows_fail_with_a_reason_and_good_rows_still_land(rt, tmp_path):
    content = (HEADER
               + "某某,SH-100,10,2026-12-10,,,\n"
               + "测试机械,XX-999,10,2026-12-10,,,\n"
               + "测试机械,SH-100,十个,2026-12-10,,,\n"
               + "测试机械,SH-100,0,2026-12-10,,,\n"
               + "测试机械,SH-100," + "9" * 5000 + ",2026-12-10,,,\n"
               + "测试机械,SH-100,10,下周一,,,\n"
               + "测试机械,SH-100,10,2026-02-30,,,\n"
               + "测试机械,SH-100,10,2026-12-10,,火速,\n"
               + "测试机械,,10,2026-12-10,,,\n"
               + "\n"
               + "测试机械,SH-100,10,2026-12-10,ERP-OK-1,,\n")
    report = import_csv(rt, _write(tmp_path, content))
    lines = report.lines()
    assert lines[0].startswith("第 2 行：失败 没有找到客户「某某」")
    assert lines[1].startswith("第 3 行：失败 没有找到产品编码「XX-999」")
    assert lines[2] == "第 4 行：失败 数量「十个」不是正整数"
    assert lines[3] == "第 5 行：失败 数量「0」不是正整数"
    assert lines[4].startswith("第 6 行：失败 数量「99999") and "太大" in lines[4]
    assert lines[5].startswith("第 7 行：失败 交期「下周一」看不懂")
    assert lines[6] == "第 8 行：失败 交期「2026-02-30」不是有效日期"
    assert lines[7].startswith("第 9 行：失败 优先级「火速」不认识")
    assert lines[8] == "第 10 行：失败 缺少产品编码"
    assert lines[9].startswith("第 12 行：成功 SO")
    assert report.failed == 9 and report.created == 1 and len(_orders(rt)) == 1


def test_gbk_file_from_chinese_excel_is_read(rt, tmp_path):
    report = import_csv(rt, _write(tmp_path, GOOD.replace("\n", "\r\n"), encoding="gbk"))
    assert report.failed == 0 and report.created == 3
    assert _orders(rt)[0].internal_note == "随货附材质证明"


def test_utf8_file_with_bom_and_english_headers_is_read(rt, tmp_path):
    content = "\ufeffCustomer,Product,Quantity,Promised_Date,ERP_No,Priority,Note\n测试机械,SH-100,5,2026-12-10,E-1,urgent,x\n"
    report = import_csv(rt, _write(tmp_path, content))
    assert report.lines()[0].startswith("第 2 行：成功 SO") and report.failed == 0
    assert _orders(rt)[0].priority == "urgent"


def test_utf16_tab_separated_file_is_read(rt, tmp_path):
    content = "客户\t产品编码\t数量\t交期\n测试机械\tSH-100\t7\t2026/12/10\n"
    report = import_csv(rt, _write(tmp_path, content, encoding="utf-16"))
    assert report.created == 1 and report.failed == 0


def test_importing_the_same_file_twice_creates_nothing_new(rt, tmp_path):
    path = _write(tmp_path, HEADER + "测试机械,SH-100,10,2026-12-10,ERP-2026-30001,,\n"
                  + "测试机械,SH-100,20,2026-12-10,ERP-2026-30002,,\n")
    first = import_csv(rt, path)
    numbers = [o.order_no for o in _orders(rt)]
    second = import_csv(rt, path)
    assert first.created == 2 and second.created == 0 and second.failed == 0 and second.skipped == 2
    assert second.lines()[0] == f"第 2 行：跳过 ERP单号 ERP-2026-30001 已导入为 {numbers[0]}，没有变化"
    assert [o.order_no for o in _orders(rt)] == numbers


def test_same_erp_number_twice_in_one_file_is_created_once(rt, tmp_path):
    row = "测试机械,SH-100,10,2026-12-10,ERP-DUP-1,,\n"
    report = import_csv(rt, _write(tmp_path, HEADER + row + row.lower()))
    assert report.created == 1 and report.skipped == 1 and len(_orders(rt)) == 1


def _junk() -> bytes:
    rng = random.Random(7)
    return bytes(rng.randrange(256) for _ in range(4096))


@pytest.mark.parametrize("content, expected", [
    (b"", "文件是空的"),
    (b"\r\n\r\n  \r\n", "文件是空的"),
    (b"name,amount\nfoo,1\n", "表头不对：缺少「客户」「产品编码」「数量」「交期」。需要的表头：客户（customer）"),
    (HEADER.encode(), "文件只有表头"),
    (_junk(), "这不是 CSV 文本文件"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), "这不是 CSV 文本文件"),
    (("客户,产品编码,数量,交期\n测试机械,SH-100,1,\"" + "x" * 200_000 + "\"\n").encode(), "CSV 格式错误"),
    ('客户,产品编码,数量,交期\n"测试机械,SH-100,1,2026-12-10\n'.encode(), "失败"),
])
def test_junk_files_give_one_clear_line_and_no_traceback(rt, tmp_path, content, expected):
    report = import_csv(rt, _write(tmp_path, content))
    assert report.failed >= 1
    assert any(expected in line for line in report.lines()), report.lines()
    assert _orders(rt) == []


def test_missing_file_is_reported_not_raised(rt, tmp_path):
    report = import_csv(rt, tmp_path / "nope.csv")
    assert report.failed == 1 and report.lines()[0].startswith("无法读取文件")


def test_ops_import_orders_prints_the_report_and_exits_non_zero_on_failures(app, rt, tmp_path):
    runner = app.test_cli_runner()
    obj = ScriptInfo(create_app=lambda: app)
    ok = runner.invoke(cli, ["import-orders", str(_write(tmp_path, GOOD))], obj=obj)
    assert ok.exit_code == 0, ok.output
    assert "第 2 行：成功 SO" in ok.output
    bad = runner.invoke(cli, ["import-orders", str(_write(tmp_path, HEADER + "某某,SH-100,1,2026-12-10,,,\n",
                                                          name="bad.csv"))], obj=obj)
    assert bad.exit_code == 1 and "第 2 行：失败 没有找到客户「某某」" in bad.output
    with rt.uow() as uow:
        assert uow.session.exec(select(func.count()).select_from(Order)).one() == 3
