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
