"""ERP import v2: xlsx and GBK CSV, ERP status words through the mapping table, the window, history
without notices (one summary to the planning head), idempotent re-import, dry run, `ops import-orders`."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo
from openpyxl import Workbook
from sqlmodel import select

from cli import cli
from core.db import new_session
from core.types import utcnow
from dataio.imports import run_import
from notify.models import Notification
from orders.models import Order, StatusEvent
from orders.status import Status
from orders.status_map import set_word
from tests.factories import basic_factory

TODAY = utcnow().astimezone(ZoneInfo("Asia/Shanghai")).date()
HEADER = ["ERP单号", "客户", "产品编码", "数量", "下单日期", "交期", "状态", "业务员"]
# ERP word → status code, as the issue lists them, plus our own labels.
WORDS = {
    "已审核": "pending_schedule", "生产中": "in_production", "已出库": "shipped", "已发货": "shipped",
    "已签收": "delivered", "已关闭": "completed", "已完成": "completed", "作废": "cancelled", "已作废": "cancelled",
    "待审": "pending_review", "未审核": "pending_review", "已入库": "in_stock", "待排产": "pending_schedule",
    "已排产": "scheduled", "待审核": "pending_review", "待采购": "pending_purchase", "待委外": "pending_outsource",
    "加工中": "in_production", "待质检": "pending_qc", "待返工": "rework", "运输中": "in_transit",
    "已取消": "cancelled",
}


@pytest.fixture
def rt(app):
    runtime = app.extensions["ops"]
    with runtime.uow() as uow:
        basic_factory(uow)
        uow.commit()
    return runtime


def _xlsx(path, rows):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _by_erp(rt) -> dict[str, Order]:
    with new_session(rt.engine) as s:
        return {o.erp_no: o for o in s.exec(select(Order)).all()}


def _notifications(rt) -> list[Notification]:
    with new_session(rt.engine) as s:
        return list(s.exec(select(Notification)).all())


def _events(rt, order_id: int) -> list[StatusEvent]:
    with new_session(rt.engine) as s:
        return list(s.exec(select(StatusEvent).where(StatusEvent.order_id == order_id)).all())


def test_xlsx_with_every_erp_word_keeps_status_date_and_salesperson_and_notifies_only_the_planning_head(rt, tmp_path):
    ordered = TODAY - timedelta(days=30)
    promised = TODAY + timedelta(days=40)  # in the future: nothing overdue for the sweep to raise
    rows = [[f"ERP-W{i:02d}", "测试机械", "SH-100", 100 + i, ordered, promised, word, "sales员" if i % 2 else "t.sales"]
            for i, word in enumerate(WORDS)]
    rows.append(["ERP-OLD-1", "测试机械", "SH-100", 5, TODAY - timedelta(days=91), promised, "已发货", ""])
    rows.append(["ERP-BAD-1", "测试机械", "SH-100", 5, ordered, promised, "挂起", ""])
    report = run_import(rt, _xlsx(tmp_path / "erp.xlsx", rows))

    orders = _by_erp(rt)
    assert {erp: o.status for erp, o in orders.items()} == {f"ERP-W{i:02d}": code
                                                          for i, code in enumerate(WORDS.values())}
    first = orders["ERP-W00"]
    assert first.order_no.startswith("SO" + ordered.strftime("%Y%m%d") + "-")
    assert first.promised_date == promised and first.quantity == 100
    assert {o.sales_owner_id for o in orders.values()} == {first.sales_owner_id} and first.sales_owner_id
    events = _events(rt, first.id)
    assert [(e.from_status, e.to_status, e.source, e.command) for e in events] == [
        (None, "pending_schedule", "import", "import")]
    assert events[0].data["order_date"] == ordered.isoformat()  # kept; the event itself is dated at the import
    assert first.created_at.astimezone(ZoneInfo("Asia/Shanghai")).date() == ordered

    lines = report.lines()
    old_row, bad_row = len(WORDS) + 2, len(WORDS) + 3
    assert lines[old_row - 2].startswith(f"第 {old_row} 行：跳过 下单日期 {(TODAY - timedelta(days=91)).isoformat()}")
    assert "90 天" in lines[old_row - 2]
    assert lines[bad_row - 2].startswith(f"第 {bad_row} 行：失败 状态「挂起」不在状态对照表里")
    assert (report.created, report.skipped, report.failed) == (len(WORDS), 1, 1)

    sent = _notifications(rt)
    assert [(n.kind, n.recipient) for n in sent] == [("import_summary", "t.planner")]
    assert f"新建 {len(WORDS)} 单" in sent[0].body


def test_gbk_csv_with_a_chinese_name_imports_with_the_right_statuses(rt, tmp_path):
    d = (TODAY - timedelta(days=3)).strftime("%Y/%m/%d")
    due = (TODAY + timedelta(days=9)).strftime("%Y年%m月%d日")
    content = ("ERP单号,客户,产品编码,数量,下单日期,交期,状态\n"
               f"ERP-G1,测试机械,SH-100,\"1,200\",{d},{due},已出库\n"
               f"ERP-G2,宁波测试机械有限公司,sh-100,300件,{d},{due},作废\n"
               f"ERP-G3,测试机械,SH-100,10,{(TODAY - timedelta(days=200)).isoformat()},{due},已签收\n")
    path = tmp_path / "ERP订单导出（十一月）.csv"
    path.write_bytes(content.encode("gbk"))
    report = run_import(rt, path)
    orders = _by_erp(rt)
    assert {k: (o.status, o.quantity) for k, o in orders.items()} == {
        "ERP-G1": ("shipped", 1200), "ERP-G2": ("cancelled", 300)}
    assert report.lines()[2].startswith("第 4 行：跳过 下单日期")
    assert [n.kind for n in _notifications(rt)] == ["import_summary"]


def test_reimport_updates_changed_fields_and_says_what_changed(rt, tmp_path):
    ordered, due = TODAY - timedelta(days=5), TODAY + timedelta(days=20)
    rows = [["ERP-R1", "测试机械", "SH-100", 100, ordered, due, "已审核", ""],
            ["ERP-R2", "测试机械", "SH-100", 50, ordered, due, "生产中", ""]]
    run_import(rt, _xlsx(tmp_path / "a.xlsx", rows))
    before = _by_erp(rt)
    rows[0][3], rows[0][6] = 120, "已出库"
    second = run_import(rt, _xlsx(tmp_path / "b.xlsx", rows))
    after = _by_erp(rt)
    r1 = after["ERP-R1"]
    assert second.lines()[0] == f"第 2 行：更新 {r1.order_no}：数量 100 → 120；状态 待排产 → 已发货"
    assert second.lines()[1] == f"第 3 行：跳过 ERP单号 ERP-R2 已导入为 {after['ERP-R2'].order_no}，没有变化"
    assert (second.created, second.updated, second.skipped) == (0, 1, 1)
    assert (r1.quantity, r1.status, r1.version) == (120, "shipped", before["ERP-R1"].version + 1)
    assert r1.order_no == before["ERP-R1"].order_no and len(after) == 2
    assert [(e.from_status, e.to_status) for e in _events(rt, r1.id)] == [
        (None, "pending_schedule"), ("pending_schedule", "shipped")]
    assert [n.kind for n in _notifications(rt)] == ["import_summary", "import_summary"]


def test_reimport_with_an_erp_number_twice_applies_its_rows_in_file_order(rt, tmp_path):
    """The fast path compares light rows and loads a full order only for rows that change it: a number
    unchanged by its first row and changed by its second, and one changed twice, end as the last row says."""
    ordered, due = TODAY - timedelta(days=5), TODAY + timedelta(days=20)
    run_import(rt, _xlsx(tmp_path / "a.xlsx", [["ERP-D1", "测试机械", "SH-100", 100, ordered, due, "已审核", ""],
                                               ["ERP-D2", "测试机械", "SH-100", 50, ordered, due, "已审核", ""]]))
    before = _by_erp(rt)
    second = run_import(rt, _xlsx(tmp_path / "b.xlsx", [
        ["ERP-D1", "测试机械", "SH-100", 100, ordered, due, "已审核", ""],  # unchanged
        ["ERP-D2", "测试机械", "SH-100", 60, ordered, due, "已审核", ""],
        ["ERP-D1", "测试机械", "SH-100", 110, ordered, due, "已审核", ""],
        ["ERP-D2", "测试机械", "SH-100", 70, ordered, due, "生产中", ""]]))
    after = _by_erp(rt)
    d1, d2 = after["ERP-D1"], after["ERP-D2"]
    assert second.lines()[:4] == [
        f"第 2 行：跳过 ERP单号 ERP-D1 已导入为 {d1.order_no}，没有变化",
        f"第 3 行：更新 {d2.order_no}：数量 50 → 60",
        f"第 4 行：更新 {d1.order_no}：数量 100 → 110",
        f"第 5 行：更新 {d2.order_no}：数量 60 → 70；状态 待排产 → 加工中"]
    assert (second.created, second.updated, second.skipped) == (0, 3, 1)
    assert (d1.quantity, d1.version) == (110, before["ERP-D1"].version + 1)
    assert (d2.quantity, d2.status, d2.version) == (70, "in_production", before["ERP-D2"].version + 2)
    assert len(after) == 2


def test_dry_run_reports_every_row_and_writes_nothing(rt, tmp_path):
    rows = [["ERP-D1", "测试机械", "SH-100", 1, TODAY, TODAY + timedelta(days=3), "已审核", ""],
            ["ERP-D2", "某某", "SH-100", 1, TODAY, TODAY + timedelta(days=3), "已审核", ""]]
    report = run_import(rt, _xlsx(tmp_path / "d.xlsx", rows), dry_run=True)
    assert report.lines()[0].startswith("试运行")
    assert report.lines()[1].startswith("第 2 行：成功 SO") and report.lines()[2].startswith("第 3 行：失败 没有找到客户")
    assert _by_erp(rt) == {} and _notifications(rt) == []


def test_edited_mapping_is_used_but_our_own_labels_cannot_be_remapped(rt, tmp_path):
    with rt.uow() as uow:
        set_word(uow.session, "挂起", Status.PENDING_REVIEW, by="admin")
        set_word(uow.session, "已发货", Status.CANCELLED, by="admin")
        uow.commit()
    rows = [["ERP-M1", "测试机械", "SH-100", 1, TODAY, TODAY + timedelta(days=3), "挂起", ""],
            ["ERP-M2", "测试机械", "SH-100", 1, TODAY, TODAY + timedelta(days=3), "已发货", ""]]
    run_import(rt, _xlsx(tmp_path / "m.xlsx", rows))
    assert {k: o.status for k, o in _by_erp(rt).items()} == {"ERP-M1": "pending_review", "ERP-M2": "shipped"}


def test_ops_import_orders_window_days_and_dry_run_options(app, rt, tmp_path):
    rows = [["ERP-C1", "测试机械", "SH-100", 1, TODAY - timedelta(days=20), TODAY + timedelta(days=3), "已审核", ""],
            ["ERP-C2", "测试机械", "SH-100", 1, TODAY - timedelta(days=5), TODAY + timedelta(days=3), "已审核", ""]]
    path = _xlsx(tmp_path / "c.xlsx", rows)
    runner, obj = CliRunner(), ScriptInfo(create_app=lambda: app)
    dry = runner.invoke(cli, ["import-orders", str(path), "--window-days", "10", "--dry-run"], obj=obj)
    assert dry.exit_code == 0, dry.output
    assert "第 2 行：跳过 下单日期" in dry.output and "最近 10 天" in dry.output and _by_erp(rt) == {}
    real = runner.invoke(cli, ["import-orders", str(path), "--window-days", "10"], obj=obj)
    assert real.exit_code == 0, real.output
    assert list(_by_erp(rt)) == ["ERP-C2"]
    assert date.today() - timedelta(days=1) <= TODAY <= date.today() + timedelta(days=1)
