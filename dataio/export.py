"""Order lists as xlsx or CSV files: Chinese headers, dates as real dates, one sheet per group.

Used by `GET /api/orders/export.xlsx` (and .csv), the admin order table's download buttons,
`ops export` and the nightly export job.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from sqlalchemy import or_
from sqlmodel import Session

from dataio import texts
from orders import views
from orders.models import Order
from orders.numbering import ORDER_NO
from orders.status import OPEN_STATUSES

COLUMNS = tuple(texts.HEADERS)
_WIDTH = {"order_no": 18, "erp_no": 18, "customer": 24, "product_name": 20, "tracking_no": 20}


def order_rows(session: Session, *, status: str | None = None, customer: str | None = None, q: str | None = None,
               limit: int | None = None, offset: int = 0) -> list[dict]:
    """Orders of the /api/orders filters, newest first, as the API's dicts."""
    stmt = views.filtered(status=status, customer=customer, q=q)
    if limit is not None:
        stmt = stmt.limit(limit)
    if offset:
        stmt = stmt.offset(offset)
    return [views.as_dict(r) for r in session.exec(stmt).all()]


def open_and_recent(session: Session, *, now: datetime, days: int = 90) -> list[dict]:
    """Every open order plus every order created in the last `days` days, newest first."""
    since = now - timedelta(days=days)
    stmt = views.filtered().where(or_(Order.status.in_([s.value for s in OPEN_STATUSES]), Order.created_at >= since))
    return [views.as_dict(r) for r in session.exec(stmt).all()]


def cell_values(order: dict, tz: ZoneInfo) -> list:
    """One order as the export's cells: labels in Chinese, datetimes in business time without zone."""
    out = []
    for key in COLUMNS:
        if key == "order_date":
            match = ORDER_NO.match(order["order_no"])
            value = datetime.strptime(match.group(1), "%Y%m%d").date() if match else None
        elif key == "priority":
            value = texts.PRIORITY.get(order["priority"], order["priority"])
        else:
            value = order.get(key)
        if isinstance(value, datetime):
            value = value.astimezone(tz).replace(tzinfo=None, microsecond=0)
        out.append(value)
    return out


def xlsx_bytes(sheets: dict[str, Iterable[dict]], tz: ZoneInfo) -> bytes:
    """A workbook with one sheet per entry (name → orders); header row frozen."""
    book = Workbook(write_only=True)
    for name, orders in sheets.items():
        sheet = book.create_sheet(title=name[:31])
        for index, key in enumerate(COLUMNS):
            sheet.column_dimensions[chr(ord("A") + index)].width = _WIDTH.get(key, 12)
        sheet.freeze_panes = "A2"
        sheet.append([texts.HEADERS[k] for k in COLUMNS])
        for order in orders:
            sheet.append([_cell(sheet, v) for v in cell_values(order, tz)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _cell(sheet, value):
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd hh:mm"
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    return value


def csv_bytes(orders: Iterable[dict], tz: ZoneInfo) -> bytes:
    """CSV with a UTF-8 BOM (so Excel shows the Chinese), ISO dates."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([texts.HEADERS[k] for k in COLUMNS])
    for order in orders:
        writer.writerow(["" if v is None else v.isoformat(sep=" ") if isinstance(v, datetime)
                         else v.isoformat() if isinstance(v, date) else v for v in cell_values(order, tz)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def grouped(orders: list[dict]) -> dict[str, list[dict]]:
    """Orders split into the sheets of the full export (by status group)."""
    return {name: [o for o in orders if o["status"] in statuses] for name, statuses in texts.SHEET_GROUPS.items()}


def table_xlsx(title: str, headers: list[str], rows: Iterable[list]) -> bytes:
    """Any admin table as a one-sheet workbook: Chinese headers, dates as dates, header row frozen."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    sheet.freeze_panes = "A2"
    sheet.append(headers)
    for row in rows:
        sheet.append([_cell(sheet, v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def table_csv(headers: list[str], rows: Iterable[list]) -> bytes:
    """The same table as CSV with a UTF-8 BOM, ISO dates."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if v is None else v.isoformat(sep=" ") if isinstance(v, datetime)
                         else v.isoformat() if isinstance(v, date) else v for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
