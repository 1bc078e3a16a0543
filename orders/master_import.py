"""Import of master data from CSV or xlsx: materials, BOM lines, purchase lines and suppliers, each row on
its own (a bad row is reported in Chinese and skipped, the others are saved). Rows update what exists: a
material by code, a BOM line by product + material, a purchase line by PO number + material, a supplier
by name."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session, select

from orders import texts
from orders.models import BomLine, Material, Product, PurchaseLine, Supplier

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
KIND_LABELS = {"raw": "原材料", "packaging": "包材"}

# kind -> {field: (Chinese header, required, type)}; English field names are accepted as headers too.
COLUMNS: dict[str, dict[str, tuple[str, bool, str]]] = {
    "materials": {"code": ("编码", True, "str"), "name": ("名称", True, "str"), "kind": ("类别", False, "kind"),
                  "unit": ("单位", False, "str"), "stock_on_hand": ("库存", False, "float"),
                  "safety_stock": ("安全库存", False, "float"), "supplier": ("供应商", False, "str")},
    "bom": {"product": ("产品编码", True, "str"), "material": ("物料编码", True, "str"),
            "qty_per_unit": ("每件用量", True, "float"), "scrap_pct": ("损耗率", False, "float")},
    "purchases": {"po_no": ("采购单号", True, "str"), "material": ("物料编码", True, "str"),
                  "quantity": ("数量", True, "float"), "expected_on": ("预计到货", False, "date"),
                  "supplier": ("供应商", False, "str"), "arrived_quantity": ("已到数量", False, "float"),
                  "arrived_on": ("到齐日期", False, "date"), "batch_no": ("批次号", False, "str")},
    "suppliers": {"name": ("供应商名称", True, "str"), "contact_name": ("联系人", False, "str"),
                  "contact_phone": ("联系电话", False, "str"), "email": ("邮箱", False, "str"),
                  "address": ("地址", False, "str"), "note": ("说明", False, "str")},
}
KINDS = tuple(COLUMNS)


@dataclass
class ImportReport:
    """What happened to each row, and the counts."""

    created: int = 0
    updated: int = 0
    failed: int = 0
    lines: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return texts.MASTER_IMPORT_SUMMARY.format(created=self.created, updated=self.updated, failed=self.failed)


class ImportRefused(ValueError):
    """The file as a whole cannot be read; `message` says why in Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def read_rows(data: bytes, filename: str) -> list[list]:
    """Cells of every row of a CSV (UTF-8 or GB18030) or xlsx file (its first sheet)."""
    if len(data) > MAX_BYTES:
        raise ImportRefused(texts.MASTER_IMPORT_TOO_BIG.format(limit=MAX_BYTES // 1024 // 1024))
    if filename.lower().endswith(".xlsx") or data[:2] == b"PK":
        import openpyxl

        try:
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # noqa: BLE001 - any unreadable workbook gets the same Chinese answer
            raise ImportRefused(texts.MASTER_IMPORT_UNREADABLE) from None
        return [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportRefused(texts.MASTER_IMPORT_UNREADABLE)
    if "\x00" in text:
        raise ImportRefused(texts.MASTER_IMPORT_UNREADABLE)
    return [row for row in csv.reader(io.StringIO(text))]


def import_master(session: Session, kind: str, rows: list[list]) -> ImportReport:
    """Save each data row of `rows` (the first is the header) as `kind`; commits row by row."""
    cols = COLUMNS[kind]
    rows = [r for r in rows if any(c not in (None, "") for c in r)]
    if len(rows) < 2:
        raise ImportRefused(texts.MASTER_IMPORT_EMPTY)
    if len(rows) > MAX_ROWS + 1:
        raise ImportRefused(texts.MASTER_IMPORT_TOO_MANY.format(limit=MAX_ROWS))
    names = {h: f for f, (h, _r, _t) in cols.items()} | {f: f for f in cols}
    header = [names.get(str(h or "").strip()) or names.get(str(h or "").strip().lower()) for h in rows[0]]
    missing = [h for f, (h, req, _t) in cols.items() if req and f not in header]
    if missing:
        raise ImportRefused(texts.MASTER_IMPORT_HEADERS.format(missing="、".join(missing),
                                                               wanted="、".join(h for h, _r, _t in cols.values())))
    report = ImportReport()
    for n, raw in enumerate(rows[1:], start=2):
        try:
            values = {f: _cell(cols[f], raw[i] if i < len(raw) else None) for i, f in enumerate(header) if f}
            for f, (h, req, _t) in cols.items():
                if req and values.get(f) in (None, ""):
                    raise ValueError(texts.MASTER_IMPORT_MISSING.format(label=h))
            created = SAVERS[kind](session, values)
            session.commit()
        except ValueError as exc:
            session.rollback()
            report.failed += 1
            report.lines.append(texts.MASTER_IMPORT_ROW_FAILED.format(row=n, reason=str(exc)))
            continue
        if created:
            report.created += 1
        else:
            report.updated += 1
    return report


def _cell(spec: tuple[str, bool, str], value):
    label, _req, kind = spec
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if kind == "float":
        try:
            number = float(str(value).strip().rstrip("%"))
        except ValueError:
            raise ValueError(texts.MASTER_IMPORT_NOT_NUMBER.format(label=label, value=value)) from None
        if number < 0 or number != number or number > 1e12:
            raise ValueError(texts.MASTER_IMPORT_NOT_NUMBER.format(label=label, value=value))
        return number
    if kind == "date":
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        text = str(value).strip().replace("/", "-").replace("年", "-").replace("月", "-").rstrip("日")
        try:
            return date.fromisoformat("-".join(p.zfill(2) for p in text.split("-")))
        except ValueError:
            raise ValueError(texts.MASTER_IMPORT_NOT_DATE.format(label=label, value=value)) from None
    if kind == "kind":
        text = str(value).strip()
        found = {v: k for k, v in KIND_LABELS.items()}.get(text, text)
        if found not in KIND_LABELS:
            raise ValueError(texts.MASTER_IMPORT_BAD_KIND.format(value=text))
        return found
    text = str(value).strip()
    if len(text) > 200:
        raise ValueError(texts.MASTER_IMPORT_TOO_LONG.format(label=label))
    return text


def _material(session: Session, code: str) -> Material:
    found = session.exec(select(Material).where(Material.code == code)).first()
    if found is None:
        raise ValueError(texts.MASTER_IMPORT_NO_MATERIAL.format(code=code))
    return found


def _save_material(session: Session, v: dict) -> bool:
    row = session.exec(select(Material).where(Material.code == v["code"])).first()
    created = row is None
    row = row or Material(code=v["code"], name=v["name"])
    for name, value in v.items():
        if value is not None:
            setattr(row, name, value)
    session.add(row)
    return created


def _save_bom(session: Session, v: dict) -> bool:
    product = session.exec(select(Product).where(Product.code == v["product"])).first()
    if product is None:
        raise ValueError(texts.MASTER_IMPORT_NO_PRODUCT.format(code=v["product"]))
    material = _material(session, v["material"])
    row = session.exec(select(BomLine).where(BomLine.product_id == product.id,
                                             BomLine.material_id == material.id)).first()
    created = row is None
    row = row or BomLine(product_id=product.id, material_id=material.id, qty_per_unit=v["qty_per_unit"])
    row.qty_per_unit = v["qty_per_unit"]
    if v.get("scrap_pct") is not None:
        row.scrap_pct = v["scrap_pct"]
    session.add(row)
    return created


def _save_purchase(session: Session, v: dict) -> bool:
    material = _material(session, v.pop("material"))
    row = session.exec(select(PurchaseLine).where(PurchaseLine.po_no == v["po_no"],
                                                  PurchaseLine.material_id == material.id)).first()
    created = row is None
    row = row or PurchaseLine(po_no=v["po_no"], material_id=material.id, quantity=v["quantity"])
    for name, value in v.items():
        if value is not None:
            setattr(row, name, value)
    if row.arrived_on is None and (row.arrived_quantity or 0) >= row.quantity:
        row.arrived_on = date.today()
    session.add(row)
    return created


def _save_supplier(session: Session, v: dict) -> bool:
    row = session.exec(select(Supplier).where(Supplier.name == v["name"])).first()
    created = row is None
    row = row or Supplier(name=v["name"])
    for name, value in v.items():
        if value is not None:
            setattr(row, name, value)
    session.add(row)
    return created


SAVERS = {"materials": _save_material, "bom": _save_bom, "purchases": _save_purchase, "suppliers": _save_supplier}
