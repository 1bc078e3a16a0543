"""Order import from a CSV file (`ops import-orders FILE`): each row on its own, reported in Chinese.

Accepts UTF-8 (with or without BOM), UTF-16 and GBK/GB18030 as saved by Chinese Excel,
Chinese or English headers, and dates written 2026-12-10, 2026/12/10 or 2026年12月10日.
An ERP number already known is reported and skipped, so importing a file twice creates
nothing new. No file content, however broken, ends in a traceback.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from orders import service, texts
from orders.actor import Actor
from orders.exceptions import OrderError
from orders.models import Order, Product

log = logging.getLogger(__name__)

IMPORT_ACTOR = Actor(name=texts.IMPORT_ACTOR_NAME, source="import")

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 5000
MAX_QUANTITY = 10_000_000
MAX_TEXT = {"customer": 200, "product": 64, "erp_no": 64, "note": 500}
HEADERS = {
    "customer": ("客户", "客户名称", "客户名", "customer", "customer_name"),
    "product": ("产品编码", "产品代码", "物料编码", "产品", "product", "product_code"),
    "quantity": ("数量", "订单数量", "quantity", "qty"),
    "promised_date": ("交期", "交货日期", "承诺交期", "要求交期", "promised_date", "due_date", "delivery_date"),
    "erp_no": ("erp单号", "erp编号", "erp订单号", "erp", "erp_no"),
    "priority": ("优先级", "priority"),
    "note": ("备注", "note", "notes", "remark"),
}
LABELS = {"customer": "客户", "product": "产品编码", "quantity": "数量", "promised_date": "交期",
          "erp_no": "ERP单号", "priority": "优先级", "note": "备注"}
REQUIRED = ("customer", "product", "quantity", "promised_date")
PRIORITIES = {"": "normal", "普通": "normal", "一般": "normal", "正常": "normal", "normal": "normal",
              "高": "high", "加急": "high", "急": "high", "high": "high",
              "特急": "urgent", "紧急": "urgent", "urgent": "urgent"}
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_UNITS = re.compile(r"(件|个|只|套|pcs|pc)$", re.IGNORECASE)


class RowError(Exception):
    """A row cannot be imported; the message is the reason shown."""


class FileProblem(Exception):
    """The whole file cannot be imported; the message is the one line shown."""


@dataclass(frozen=True)
class RowResult:
    row: int
    outcome: str  # ok | failed | skipped
    text: str


@dataclass
class ImportReport:
    """What happened to each row, plus a file-level problem if there was one."""

    rows: list[RowResult] = field(default_factory=list)
    problem: str | None = None

    def _count(self, outcome: str) -> int:
        return sum(1 for r in self.rows if r.outcome == outcome)

    @property
    def created(self) -> int:
        return self._count("ok")

    @property
    def skipped(self) -> int:
        return self._count("skipped")

    @property
    def failed(self) -> int:
        return self._count("failed") + (1 if self.problem else 0)

    def lines(self) -> list[str]:
        """The report, one Chinese line per row, then the problem (if any) and a summary."""
        out = [r.text for r in self.rows]
        if self.problem:
            out.append(self.problem)
        if self.rows:
            out.append(texts.IMPORT_SUMMARY.format(ok=self.created, failed=self._count("failed"), skipped=self.skipped))
        return out


def import_csv(runtime, path: str | Path) -> ImportReport:
    """Import every row of a CSV file as an order; never raises for bad content."""
    report = ImportReport()
    try:
        records = _records(_read_text(Path(path)))
        columns = _columns(next((r for r in records if any(c.strip() for c in r[1])), None))
        for number, cells in records:
            if not any(c.strip() for c in cells):
                continue
            if number > MAX_ROWS + 1:
                report.rows.append(RowResult(number, "failed", texts.IMPORT_FAILED.format(
                    row=number, reason=texts.IMPORT_TOO_MANY.format(limit=MAX_ROWS))))
                break
            values = {name: cells[i] if i < len(cells) else "" for name, i in columns.items()}
            report.rows.append(_import_row(runtime, number, values))
        if not report.rows:
            raise FileProblem(texts.IMPORT_NO_ROWS)
    except FileProblem as exc:
        report.problem = str(exc)
    return report


def _read_text(path: Path) -> str:
    """The file's text, whatever encoding Excel saved it in."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise FileProblem(texts.IMPORT_TOO_BIG.format(size=size / 1024 / 1024, limit=MAX_BYTES // 1024 // 1024))
        data = path.read_bytes()
    except OSError as exc:
        raise FileProblem(texts.IMPORT_UNREADABLE.format(path=path, error=exc.strerror or exc)) from None
    text = _decode(data)
    if not text.strip("\ufeff \t\r\n"):
        raise FileProblem(texts.IMPORT_EMPTY)
    if _looks_binary(text):
        raise FileProblem(texts.IMPORT_BINARY)
    return text.lstrip("\ufeff")


def _decode(data: bytes) -> str:
    """UTF-8 (BOM or not), UTF-16 with BOM, else GB18030 (a superset of GBK)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileProblem(texts.IMPORT_BINARY if b"\x00" in data else texts.IMPORT_ENCODING)


def _looks_binary(text: str) -> bool:
    """True for text full of control or unassigned characters (a decoded binary file)."""
    sample = text[:100_000]
    odd = sum(1 for ch in sample if ch not in "\t\r\n" and unicodedata.category(ch) in ("Cc", "Co", "Cn", "Cs"))
    return "\x00" in text or odd > max(2, len(sample) // 100)


def _records(text: str):
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


def _import_row(runtime, number: int, values: dict[str, str]) -> RowResult:
    """Create one order from one row; any failure becomes the row's reason."""
    try:
        row = _parse_row(values)
        with runtime.uow() as uow:
            s = uow.session
            if row["erp_no"]:
                existing = s.exec(select(Order.order_no).where(
                    Order.erp_no == row["erp_no"].upper())).first()  # aliases are stored upper case
                if existing:
                    return RowResult(number, "skipped", texts.IMPORT_SKIPPED.format(row=number, erp_no=row["erp_no"],
                                                                         order_no=existing))
            code = s.exec(select(Product.code).where(func.upper(Product.code) == row["product"].upper())).first()
            order = service.create_order(
                uow, customer=row["customer"], product=code or row["product"], quantity=row["quantity"],
                promised_date=row["promised_date"], actor=IMPORT_ACTOR, tz=runtime.settings.tz,
                erp_no=row["erp_no"] or None, priority=row["priority"], internal_note=row["note"])
            order_no = order.order_no
            uow.commit()
        return RowResult(number, "ok", texts.IMPORT_OK.format(row=number, order_no=order_no))
    except (RowError, OrderError) as exc:
        reason = exc.message if isinstance(exc, OrderError) else str(exc)
    except IntegrityError:
        reason = texts.IMPORT_DUPLICATE.format(erp_no=values.get("erp_no", "").strip())
    except Exception:
        log.exception("import of row %s failed", number)
        reason = texts.IMPORT_INTERNAL
    return RowResult(number, "failed", texts.IMPORT_FAILED.format(row=number, reason=reason))


def _parse_row(values: dict[str, str]) -> dict:
    """Checked, normalised fields of one row, or RowError."""
    text = {k: (v or "").strip() for k, v in values.items()}
    for key in REQUIRED:
        if not text.get(key):
            raise RowError(texts.IMPORT_MISSING.format(label=LABELS[key]))
    for key, limit in MAX_TEXT.items():
        if len(text.get(key, "")) > limit:
            raise RowError(texts.IMPORT_TOO_LONG.format(label=LABELS[key], limit=limit))
    priority = unicodedata.normalize("NFKC", text.get("priority", "")).lower()
    if priority not in PRIORITIES:
        raise RowError(texts.IMPORT_PRIORITY_BAD.format(value=_short(text["priority"])))
    return {
        "customer": text["customer"], "product": unicodedata.normalize("NFKC", text["product"]),
        "quantity": parse_quantity(text["quantity"]), "promised_date": parse_date(text["promised_date"]),
        "erp_no": unicodedata.normalize("NFKC", text.get("erp_no", "")), "priority": PRIORITIES[priority],
        "note": text.get("note", ""),
    }


def _short(value: str, limit: int = 30) -> str:
    return value if len(value) <= limit else value[:limit] + "…"


def parse_quantity(value: str) -> int:
    """A positive whole number from '1200', '1,200', '1200件' or '1200.0'."""
    cleaned = unicodedata.normalize("NFKC", value).replace(",", "").replace(" ", "")
    cleaned = _UNITS.sub("", cleaned)
    match = re.fullmatch(r"(\d+)(?:\.0*)?", cleaned)
    if not match:
        raise RowError(texts.IMPORT_QTY_BAD.format(value=_short(value)))
    digits = match.group(1).lstrip("0") or "0"
    if len(digits) > len(str(MAX_QUANTITY)) or int(digits) > MAX_QUANTITY:
        raise RowError(texts.IMPORT_QTY_BIG.format(value=_short(value), limit=MAX_QUANTITY))
    if int(digits) == 0:
        raise RowError(texts.IMPORT_QTY_BAD.format(value=_short(value)))
    return int(digits)


def parse_date(value: str) -> date:
    """A date from 2026-12-10, 2026/12/10, 2026.12.10, 2026年12月10日 or 20261210."""
    cleaned = unicodedata.normalize("NFKC", value).strip()
    match = _DATE.fullmatch(cleaned) or _DATE_COMPACT.fullmatch(cleaned)
    if not match:
        raise RowError(texts.IMPORT_DATE_BAD.format(value=_short(value)))
    try:
        return date(*(int(g) for g in match.groups()))
    except ValueError:
        raise RowError(texts.IMPORT_DATE_INVALID.format(value=_short(value))) from None
