"""A drill-down list as an xlsx file: the list's own columns on the first sheet, and the period and the
filters it was drawn with on a second one, so a file passed on still says what it holds."""

from __future__ import annotations

import io

from openpyxl import Workbook
from sqlmodel import Session

from insight import texts
from insight.period import Period
from orders.models import Customer, Staff

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def filter_rows(session: Session, period: Period) -> list[list[str]]:
    """(label, value) of the period and every filter that is set, with names rather than ids."""
    named = {"customer_id": Customer, "sales_owner_id": Staff}
    rows = [["统计周期", f"近 {period.days} 天"],
            ["起", period.start.astimezone(period.tz).strftime("%Y-%m-%d %H:%M")],
            ["止", period.end.astimezone(period.tz).strftime("%Y-%m-%d %H:%M")]]
    for key, value in period.filters.items():
        if key in named:
            found = session.get(named[key], value)
            value = found.name if found else value
        rows.append([texts.FILTER_LABELS[key], str(value)])
    return rows


def list_xlsx(found: dict, filters: list[list[str]]) -> bytes:
    """The workbook of one drill-down list ({title, columns, rows}) and the filters it was drawn with."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=found["title"][:31])
    sheet.freeze_panes = "A2"
    sheet.append(found["columns"])
    for row in found["rows"]:
        sheet.append(row["cells"])
    about = book.create_sheet(title="筛选条件")
    for row in filters:
        about.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def audit_xlsx(detail: dict, changes: list[dict], tz) -> bytes:
    """The workbook of one accuracy audit: the sampled orders with their verdicts, the summary (rate and
    interval, seed), and every verdict change."""
    def local(at):
        return at.astimezone(tz).strftime("%Y-%m-%d %H:%M") if at else ""

    def pct(v):
        return "" if v is None else round(v * 100, 1)

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=f"{detail['month']} 抽查")
    sheet.freeze_panes = "A2"
    sheet.append(["序号", "订单号", "客户", "签收日期", "核对结果", "备注", "核对人", "核对时间"])
    for i in detail["items"]:
        sheet.append([i["position"], i["order_no"], i["customer"],
                      i["delivered_on"].isoformat() if i["delivered_on"] else "", i["verdict_label"], i["note"],
                      i["checked_by"], local(i["checked_at"])])
    about = book.create_sheet(title="汇总")
    for row in (["月份", detail["month"]], ["当月签收", detail["delivered"]], ["样本", detail["sample_size"]],
                ["已核对", detail["checked"]], ["正确", detail["correct"]], ["有误", detail["wrong"]],
                ["准确率 %", pct(detail["rate"])], ["95% 区间下限 %", pct(detail["ci_low"])],
                ["95% 区间上限 %", pct(detail["ci_high"])], ["随机种子", detail["seed"]],
                ["抽样人", detail["drawn_by"]], ["抽样时间", local(detail["drawn_at"])]):
        about.append(row)
    log = book.create_sheet(title="修改记录")
    log.append(["订单号", "核对结果", "备注", "修改人", "时间"])
    for c in changes:
        log.append([c["order_no"], c["verdict_label"], c["note"], c["changed_by"], local(c["changed_at"])])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
