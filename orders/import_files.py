"""Reading an ERP order file (CSV or xlsx) into numbered rows of text cells, headers resolved.

CSV: UTF-8 (with or without BOM), UTF-16 and GBK/GB18030 as saved by Chinese Excel, any of the
usual delimiters. xlsx: the first sheet, read with openpyxl (read-only, values only); dates and
numbers become the same text a CSV would hold. Chinese or English headers. Whatever the file
holds, the caller gets rows or one FileProblem line, never a traceback.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

from orders import texts

MAX_BYTES = 50 * 1024 * 1024
HEADERS = {
    "erp_no": ("erp单号", "erp编号", "erp订单号", "erp", "erp_no", "单据编号", "订单编号"),
    "customer": ("客户", "客户名称", "客户名", "customer", "customer_name"),
    "product": ("产品编码", "产品代码", "物料编码", "产品", "product", "product_code"),
    "quantity": ("数量", "订单数量", "quantity", "qty"),
    "order_date": ("下单日期", "订单日期", "单据日期", "日期", "order_date", "ordered_on"),
    "promised_date": ("交期", "交货日期", "承诺交期", "要求交期", "promised_date", "due_date", "delivery_date"),
    "status": ("状态", "订单状态", "单据状态", "status"),
    "salesperson": ("业务员", "销售员", "销售", "负责人", "salesperson", "sales_owner", "sales"),
    "priority": ("优先级", "priority"),
    "note": ("备注", "note", "notes", "remark"),
}
LABELS = {"customer": "客户", "product": "产品编码", "quantity": "数量", "promised_date": "交期",
          "erp_no": "ERP单号", "priority": "优先级", "note": "备注", "order_date": "下单日期", "status": "状态",
          "salesperson": "业务员"}
REQUIRED = ("customer", "product", "quantity", "promised_date")


class FileProblem(Exception):
    """The whole file cannot be imported; the message is the one line shown."""


Row = tuple[int, dict[str, str]]


def read_rows(path: Path, *, filename: str | None = None) -> tuple[set[str], Iterator[Row]]:
    """The columns found and an iterator of (row number as in Excel, {field: text}); blank rows left out."""
    name = (filename or path.name).lower()
    data = _read_bytes(path)
    if name.endswith((".xlsx", ".xlsm")) or data[:4] == b"PK\x03\x04":
        records = _xlsx_records(data)
    else:
        records = _csv_records(_decode_text(data))
    header = next((r for r in records if any(c.strip() for c in r[1])), None)
    columns = _columns(header)
    return set(columns), _rows(records, columns)


def _rows(records: Iterator[tuple[int, list[str]]], columns: dict[str, int]) -> Iterator[Row]:
    for number, cells in records:
        if any(c.strip() for c in cells):
            yield number, {name: cells[i] if i < len(cells) else "" for name, i in columns.items()}


def _read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise FileProblem(texts.IMPORT_TOO_BIG.format(size=size / 1024 / 1024, limit=MAX_BYTES // 1024 // 1024))
        data = path.read_bytes()
    except OSError as exc:
        raise FileProblem(texts.IMPORT_UNREADABLE.format(path=path, error=exc.strerror or exc)) from None
    if not data.strip(b"\xef\xbb\xbf \t\r\n"):
        raise FileProblem(texts.IMPORT_EMPTY)
    return data


def _xlsx_records(data: bytes) -> Iterator[tuple[int, list[str]]]:
    """Rows of the first sheet as text cells; a broken workbook is one FileProblem."""
    from openpyxl import load_workbook  # heavy import, only for xlsx files

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, IndexError, TypeError):
        raise FileProblem(texts.IMPORT_XLSX_BAD) from None

    def records():
        try:
            for number, values in enumerate(rows, start=1):
                yield number, [_cell_text(v) for v in values]
        except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
            raise FileProblem(texts.IMPORT_XLSX_BAD) from None
        finally:
            book.close()

    return records()


def _cell_text(value) -> str:
    """A cell's value as the text a CSV would hold (dates ISO, 1200.0 → 1200)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _decode_text(data: bytes) -> str:
    """UTF-8 (BOM or not), UTF-16 with BOM, else GB18030 (a superset of GBK); binary refused."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise FileProblem(texts.IMPORT_BINARY if b"\x00" in data else texts.IMPORT_ENCODING)
    if not text.strip("\ufeff \t\r\n"):
        raise FileProblem(texts.IMPORT_EMPTY)
    if _looks_binary(text):
        raise FileProblem(texts.IMPORT_BINARY)
    return text.lstrip("\ufeff")


def _looks_binary(text: str) -> bool:
    """True for text full of control or unassigned characters (a decoded binary file)."""
    sample = text[:100_000]
    odd = sum(1 for ch in sample if ch not in "\t\r\n" and unicodedata.category(ch) in ("Cc", "Co", "Cn", "Cs"))
    return "\x00" in text or odd > max(2, len(sample) // 100)


def _csv_records(text: str) -> Iterator[tuple[int, list[str]]]:
    """(record number, cells) for each CSV record, numbered as in Excel (header = 1)."""
    first_line = text.split("\n", 1)[0]
    if first_line.strip().lower().startswith("sep=") and len(first_line.strip()) == 5:
        delimiter = first_line.strip()[4]  # Excel's "sep=," hint line
        text = text.split("\n", 1)[1] if "\n" in text else ""
    else:
        delimiter = max((",", "\t", ";", "，"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    number = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise FileProblem(texts.IMPORT_CSV_ERROR.format(row=number + 1, error=exc)) from None
        number += 1
        yield number, cells


def _normal_header(cell: str) -> str:
    cell = unicodedata.normalize("NFKC", cell).strip().strip("*").lower().replace(" ", "")
    return re.sub(r"\(.*\)$", "", cell)


def _columns(first: tuple[int, list[str]] | None) -> dict[str, int]:
    """Which column holds which field, from the header row."""
    if first is None:
        raise FileProblem(texts.IMPORT_EMPTY)
    columns: dict[str, int] = {}
    for index, cell in enumerate(first[1]):
        name = _normal_header(cell)
        for key, aliases in HEADERS.items():
            if name in aliases and key not in columns:
                columns[key] = index
    missing = [k for k in REQUIRED if k not in columns]
    if missing:
        raise FileProblem(texts.IMPORT_HEADERS.format(missing="".join(f"「{LABELS[k]}」" for k in missing)))
    return columns
