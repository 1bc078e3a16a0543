"""One ERP row: checked and normalised (parse_row), then created or updated (apply_row).

Split from orders.importer so that the file loop and the row rules each stay readable.
Lookups of master data are loaded once per batch, not once per row.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from sqlmodel import Session, select

from orders import texts
from orders.actor import Actor
from orders.import_files import LABELS, REQUIRED
from orders.models import Customer, Order, Product, Staff, StatusEvent
from orders.numbering import next_order_no
from orders.service import date_window
from orders.status import Status
from orders.status_map import load_mapping, normal_word

MAX_QUANTITY = 10_000_000
MAX_TEXT = {"customer": 200, "product": 64, "erp_no": 64, "note": 500, "salesperson": 64, "status": 32}
PRIORITIES = {"": "normal", "普通": "normal", "一般": "normal", "正常": "normal", "normal": "normal",
              "高": "high", "加急": "high", "急": "high", "high": "high",
              "特急": "urgent", "紧急": "urgent", "urgent": "urgent"}
PRIORITY_LABELS = {"normal": "普通", "high": "加急", "urgent": "特急"}
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_UNITS = re.compile(r"(件|个|只|套|pcs|pc)$", re.IGNORECASE)


class RowError(Exception):
    """A row cannot be imported; the message is the reason shown."""


@dataclass
class Lookups:
    """Master data by the names a file uses, and the status mapping."""

    customers: dict[str, Customer]
    products: dict[str, Product]
    staff: dict[str, Staff]
    status_words: dict[str, Status]

    @classmethod
    def load(cls, s: Session) -> Lookups:
        customers: dict[str, Customer] = {}
        for c in s.exec(select(Customer).order_by(Customer.id)).all():
            customers.setdefault(c.name, c)
        for c in s.exec(select(Customer).order_by(Customer.id)).all():
            if c.short_name:
                customers.setdefault(c.short_name, c)
        products = {p.code.upper(): p for p in s.exec(select(Product)).all()}
        staff: dict[str, Staff] = {}
        for person in s.exec(select(Staff).order_by(Staff.active.desc(), Staff.id)).all():
            staff.setdefault(person.name, person)
            if person.userid:
                staff.setdefault(person.userid.lower(), person)
        return cls(customers, products, staff, load_mapping(s))


@dataclass
class ParsedRow:
    erp_no: str | None
    customer: Customer
    product: Product
    quantity: int
    promised_date: date
    order_date: date
    status: Status
    status_word: str
    sales_owner_id: int | None
    priority: str
    note: str


def parse_row(values: dict[str, str], columns: set[str], lookups: Lookups, *, today: date) -> ParsedRow:
    """Checked, normalised fields of one row, or RowError with the reason."""
    text = {k: unicodedata.normalize("NFKC", v or "").strip() if k != "note" else (v or "").strip()
            for k, v in values.items()}
    for key in REQUIRED + (("status",) if "status" in columns else ()):
        if not text.get(key):
            raise RowError(texts.IMPORT_MISSING.format(label=LABELS[key]))
    for key, limit in MAX_TEXT.items():
        if len(text.get(key, "")) > limit:
            raise RowError(texts.IMPORT_TOO_LONG.format(label=LABELS[key], limit=limit))
    priority = text.get("priority", "").lower()
    if priority not in PRIORITIES:
        raise RowError(texts.IMPORT_PRIORITY_BAD.format(value=_short(text["priority"])))
    customer = lookups.customers.get(text["customer"])
    if customer is None:
        raise RowError(texts.customer_not_found(text["customer"]))
    product = lookups.products.get(text["product"].upper())
    if product is None:
        raise RowError(texts.product_not_found(text["product"]))
    quantity = parse_quantity(text["quantity"])
    first, last = _window(today)
    promised = _in_window(parse_date(text["promised_date"], LABELS["promised_date"]), first, last, "promised_date")
    order_date = today
    if text.get("order_date"):
        order_date = _in_window(parse_date(text["order_date"], LABELS["order_date"]), first, today, "order_date")
    status, word = Status.PENDING_REVIEW, ""
    if "status" in columns:
        word = text["status"]
        status = lookups.status_words.get(normal_word(word))
        if status is None:
            raise RowError(texts.IMPORT_STATUS_UNKNOWN.format(value=_short(word)))
    owner_id = customer.sales_owner_id
    if text.get("salesperson"):
        person = lookups.staff.get(text["salesperson"]) or lookups.staff.get(text["salesperson"].lower())
        if person is None:
            raise RowError(texts.IMPORT_SALES_UNKNOWN.format(value=_short(text["salesperson"])))
        owner_id = person.id
    return ParsedRow(erp_no=text.get("erp_no", "").upper() or None, customer=customer, product=product,
                     quantity=quantity, promised_date=promised, order_date=order_date, status=status,
                     status_word=word, sales_owner_id=owner_id, priority=PRIORITIES[priority],
                     note=(values.get("note") or "").strip())


@lru_cache(maxsize=8)
def _window(today: date) -> tuple[date, date]:
    return date_window(today)


def _in_window(value: date, first: date, last: date, key: str) -> date:
    if not first <= value <= last:
        raise RowError(texts.IMPORT_DATE_RANGE.format(label=LABELS[key], value=value.isoformat(),
                                                      first=first.isoformat(), last=last.isoformat()))
    return value


_LOOK = object()


def apply_row(s: Session, row: ParsedRow, columns: set[str], *, actor: Actor, at: datetime,
              now: datetime, existing=_LOOK) -> tuple[str, str, str]:
    """Create the order, or update the one with this ERP number: (outcome, order number, changes text).

    `existing`: the order of this ERP number when the caller already looked it up (None: there is none).
    """
    if existing is _LOOK:
        existing = s.exec(select(Order).where(Order.erp_no == row.erp_no)).first() if row.erp_no else None
    if existing is None:
        order = Order(order_no=next_order_no(s, row.order_date), erp_no=row.erp_no, customer_id=row.customer.id,
                      product_id=row.product.id, quantity=row.quantity, promised_date=row.promised_date,
                      status=row.status.value, priority=row.priority, sales_owner_id=row.sales_owner_id,
                      created_at=at, updated_at=now, updated_by=actor.name, internal_note=row.note, version=1)
        s.add(order)
        s.flush()
        # The event is dated now: we learn the status today, so time-in-status alerts count from the import.
        s.add(StatusEvent(order_id=order.id, from_status=None, to_status=order.status, command="import", at=now,
                          actor=actor.name, source=actor.source, note=texts.IMPORT_EVENT_NOTE.format(
                              word=row.status_word or row.status.label),
                          data={"erp_no": row.erp_no, "order_date": row.order_date.isoformat()}))
        return "created", order.order_no, ""
    changes = row_changes(s, existing, row, columns)
    if not changes:
        return "unchanged", existing.order_no, ""
    old_status = existing.status
    for name, _, _, value in changes:
        setattr(existing, name, value)
    existing.version += 1
    existing.updated_at, existing.updated_by = now, actor.name
    if existing.status != old_status:
        s.add(StatusEvent(order_id=existing.id, from_status=old_status, to_status=existing.status,
                          command="import", at=now, actor=actor.name, source=actor.source,
                          note=texts.IMPORT_EVENT_NOTE.format(word=row.status_word or row.status.label),
                          data={"erp_no": row.erp_no, "reimport": True}))
    s.flush()
    text = "；".join(f"{texts.IMPORT_FIELD_LABELS[n]} {a} → {b}" for n, a, b, _ in changes)
    return "updated", existing.order_no, text


def row_changes(s: Session, order, row: ParsedRow, columns: set[str]) -> list[tuple[str, str, str, object]]:
    """(field, old shown, new shown, new value) for each field the file changes. `order` is an Order or any
    row with its compared columns as attributes (orders.import_bulk.COMPARED)."""
    out = []

    def differs(name, new, shown_old, shown_new):
        if getattr(order, name) != new:
            out.append((name, shown_old, shown_new, new))

    if order.customer_id != row.customer.id:
        old = s.get(Customer, order.customer_id)
        differs("customer_id", row.customer.id, old.name if old else "", row.customer.name)
    if order.product_id != row.product.id:
        old = s.get(Product, order.product_id)
        differs("product_id", row.product.id, old.code if old else "", row.product.code)
    differs("quantity", row.quantity, order.quantity, row.quantity)
    differs("promised_date", row.promised_date, order.promised_date, row.promised_date)
    if "status" in columns:
        differs("status", row.status.value, _label(order.status), row.status.label)
    if "salesperson" in columns and order.sales_owner_id != row.sales_owner_id:
        old, new = (s.get(Staff, i) if i else None for i in (order.sales_owner_id, row.sales_owner_id))
        differs("sales_owner_id", row.sales_owner_id, old.name if old else "—", new.name if new else "—")
    if "priority" in columns:
        differs("priority", row.priority, PRIORITY_LABELS.get(order.priority, order.priority),
                PRIORITY_LABELS[row.priority])
    if "note" in columns:
        differs("internal_note", row.note, order.internal_note or "—", row.note or "—")
    return out


def _label(code: str) -> str:
    try:
        return Status(code).label
    except ValueError:
        return code


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


def parse_date(value: str, label: str = "交期") -> date:
    """A date from 2026-12-10, 2026/12/10, 2026.12.10, 2026年12月10日 or 20261210."""
    found = _DATES.get(value)
    if found is not None:  # an ERP file repeats a few hundred dates over its rows
        return found
    found = _parse_date(value, label)
    if len(_DATES) < 20_000:
        _DATES[value] = found
    return found


_DATES: dict[str, date] = {}


def _parse_date(value: str, label: str) -> date:
    cleaned = unicodedata.normalize("NFKC", value).strip()
    match = _DATE.fullmatch(cleaned) or _DATE_COMPACT.fullmatch(cleaned)
    if not match:
        raise RowError(texts.IMPORT_DATE_BAD.format(label=label, value=_short(value)))
    try:
        return date(*(int(g) for g in match.groups()))
    except ValueError:
        raise RowError(texts.IMPORT_DATE_INVALID.format(label=label, value=_short(value))) from None
