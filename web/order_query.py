"""The order table's query: search, filters, sort and keyset pagination over many orders.

Keyset pages (WHERE (sort key, id) beyond the last row seen) cost the same on page 1 and
page 2 000; the total is counted only up to COUNT_CAP rows so a broad filter stays cheap.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import and_, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, func, select

from alerts.models import LEVELS as ALERT_LEVELS
from alerts.models import Alert
from alerts.queries import UNRESOLVED
from orders.models import Customer, Order, Product, Staff
from orders.status import OPEN_STATUSES, TERMINAL_STATUSES, Status

PAGE_SIZE = 50
COUNT_CAP = 10_000
MAX_DUE_DAYS = 366  # "due within N days" beyond a year means every open order; larger N is clamped
MAX_ID = 2**31 - 1  # ids and cursors beyond a 32-bit integer match nothing (and overflow SQLite's binding)
SORTS: dict[str, tuple[str, bool]] = {  # name -> (order column, descending)
    "new": ("id", True),
    "due": ("promised_date", False),
    "updated": ("updated_at", True),
}
_Owner = aliased(Staff)


@dataclass
class OrderFilter:
    """What the user asked the order table for (all optional)."""

    q: str = ""
    status: str = ""  # a status code, or "open" for every unfinished order
    owner_id: int | None = None
    customer_id: int | None = None
    due_days: int | None = None
    alert_level: str = ""
    sort: str = "new"
    after: str = ""
    before: str = ""

    @classmethod
    def from_args(cls, args) -> OrderFilter:
        """Parse the query string leniently: a bad value is ignored, never an error."""
        sort = args.get("sort", "new")
        return cls(
            q=(args.get("q") or "").strip()[:60], status=_choice(args.get("status"), _status_codes()),
            owner_id=_int(args.get("owner")), customer_id=_int(args.get("customer")),
            due_days=_clamp(_int(args.get("due")), MAX_DUE_DAYS), alert_level=_choice(args.get("alert"), ALERT_LEVELS),
            sort=sort if sort in SORTS else "new", after=args.get("after", ""), before=args.get("before", ""),
        )

    def args(self, **changes) -> dict:
        """The query-string arguments of this filter (for links), with changes."""
        out = {"q": self.q, "status": self.status, "owner": self.owner_id, "customer": self.customer_id,
               "due": self.due_days, "alert": self.alert_level, "sort": self.sort}
        out.update(changes)
        return {k: v for k, v in out.items() if v not in (None, "") and not (k == "sort" and v == "new")}


@dataclass
class OrderPage:
    rows: list[dict] = field(default_factory=list)
    next_cursor: str = ""
    prev_cursor: str = ""
    total: int = 0
    total_capped: bool = False


def _status_codes() -> tuple[str, ...]:
    return ("open", *(s.value for s in Status))


def _choice(value, allowed) -> str:
    return value if value in allowed else ""


def _int(value) -> int | None:
    try:
        n = int(str(value)[:12])
    except (TypeError, ValueError):
        return None
    return n if 0 <= n <= MAX_ID else None


def _clamp(n: int | None, most: int) -> int | None:
    return None if n is None else min(n, most)


def due_deadline(today: date, days: int, add_working_days: Callable | None) -> date:
    """The last promised date that counts as due within `days` (working days when a calendar's
    `add_working_days` is given, else calendar days)."""
    if add_working_days is not None:
        try:
            return add_working_days(today, days)
        except Exception:  # a calendar without data for that year: fall back to calendar days
            pass
    return today + timedelta(days=min(days, MAX_DUE_DAYS))


def filtered(f: OrderFilter, *, today: date, add_working_days=None):
    """The WHERE clauses of a filter, as a list."""
    where = []
    if f.q:
        where.append(_search(f.q))
    if f.status == "open":
        where.append(_open())
    elif f.status:
        where.append(Order.status == f.status)
    if f.owner_id:
        where.append(Order.sales_owner_id == f.owner_id)
    if f.customer_id:
        where.append(Order.customer_id == f.customer_id)
    if f.due_days is not None:
        where.append(Order.promised_date <= due_deadline(today, f.due_days, add_working_days))
        if not f.status:
            where.append(_open())
    if f.alert_level:
        where.append(Order.id.in_(select(Alert.order_id).where(
            Alert.level == f.alert_level, Alert.status.in_(UNRESOLVED))))
    return where


def _open():
    # NOT IN the two finished statuses, not IN twelve open ones: SQLite would otherwise walk the
    # status index and sort three quarters of the table instead of reading the newest rows first.
    return Order.status.not_in([s.value for s in TERMINAL_STATUSES])


def exact_match(session: Session, q: str) -> int | None:
    """The id of the one order whose number or ERP alias is exactly `q` (an indexed look-up)."""
    if len(q) < 6 or any("\u4e00" <= ch <= "\u9fff" for ch in q):
        return None
    up = q.upper()
    ids = session.exec(select(Order.id).where(or_(Order.order_no == up, Order.erp_no == q, Order.erp_no == up,
                                                  Order.tracking_no == up)).limit(2)).all()
    return ids[0] if len(ids) == 1 else None


def _search(q: str):
    """Number, ERP alias, tracking number, customer (name or contact), product or salesperson, as typed."""
    up = q.upper()
    like = f"%{q}%"
    customers = select(Customer.id).where(or_(Customer.name.like(like), Customer.short_name.like(like),
                                              Customer.contact_name.like(like), Customer.contact_phone.like(like)))
    products = select(Product.id).where(or_(Product.code.like(f"%{up}%"), Product.name.like(like)))
    sales = select(Staff.id).where(or_(Staff.name.like(like), Staff.userid == q))
    return or_(Order.order_no.like(f"%{up}%"), func.upper(Order.erp_no).like(f"%{up}%"),
               Order.tracking_no.like(f"%{up}%"), Order.customer_id.in_(customers),
               Order.product_id.in_(products), Order.sales_owner_id.in_(sales))


def fetch_page(session: Session, f: OrderFilter, *, today: date, add_working_days=None,
               page_size: int = PAGE_SIZE) -> OrderPage:
    """One page of the order table with cursors to the next and previous pages."""
    exact = exact_match(session, f.q) if f.q else None
    if exact is not None:  # a full number typed: no need to scan for it
        f = OrderFilter(**{**f.__dict__, "q": ""})
    where = filtered(f, today=today, add_working_days=add_working_days)
    if exact is not None:
        where.append(Order.id == exact)
    col_name, desc = SORTS[f.sort]
    col = getattr(Order, col_name)
    backwards = bool(f.before) and not f.after
    cursor = _decode(f.before if backwards else f.after, col_name)
    stmt = (select(Order, Customer.name, Customer.region, Product.code, Product.name, _Owner.name)
            .join(Customer, Customer.id == Order.customer_id).join(Product, Product.id == Order.product_id)
            .outerjoin(_Owner, _Owner.id == Order.sales_owner_id).where(*where))
    forward_desc = desc != backwards  # walking back flips the direction
    if cursor is not None:
        stmt = stmt.where(_beyond(col, cursor, forward_desc))
    order_by = (col.desc(), Order.id.desc()) if forward_desc else (col.asc(), Order.id.asc())
    if col_name == "id":
        order_by = order_by[1:]
    rows = session.exec(stmt.order_by(*order_by).limit(page_size + 1)).all()
    more = len(rows) > page_size
    rows = rows[:page_size]
    if backwards:
        rows.reverse()
    page = OrderPage(rows=[_row(r) for r in rows])
    if rows:
        first, last = rows[0][0], rows[-1][0]
        has_next = more if not backwards else True
        has_prev = (more if backwards else cursor is not None)
        page.next_cursor = _encode(last, col_name) if has_next else ""
        page.prev_cursor = _encode(first, col_name) if has_prev else ""
    if cursor is None and not more:
        page.total = len(rows)  # everything fits on this first page: nothing more to count
    else:
        page.total, page.total_capped = count_capped(session, where)
    return page


def _beyond(col, cursor: tuple, desc: bool):
    value, last_id = cursor
    if col is Order.id:
        return Order.id < last_id if desc else Order.id > last_id
    if desc:
        return or_(col < value, and_(col == value, Order.id < last_id))
    return or_(col > value, and_(col == value, Order.id > last_id))


def _encode(order: Order, col_name: str) -> str:
    value = getattr(order, col_name)
    text = value.isoformat() if isinstance(value, date | datetime) else str(value)
    return f"{text}~{order.id}"


def _decode(cursor: str, col_name: str) -> tuple | None:
    """(sort value, id) from a cursor, or None when it is absent or malformed."""
    if not cursor or "~" not in cursor:
        return None
    text, _, raw_id = cursor.rpartition("~")
    try:
        last_id = int(raw_id[:12])
        if not 0 <= last_id <= MAX_ID:
            return None
        if col_name == "promised_date":
            return date.fromisoformat(text), last_id
        if col_name == "updated_at":
            return datetime.fromisoformat(text), last_id
        value = int(text[:12])
        return (value, last_id) if 0 <= value <= MAX_ID else None
    except ValueError:
        return None


def count_capped(session: Session, where: list) -> tuple[int, bool]:
    """How many orders match, counting at most COUNT_CAP (True when capped)."""
    inner = select(Order.id).where(*where)  # every filter is on the order row or an IN (subquery)
    n = session.exec(select(func.count()).select_from(inner.limit(COUNT_CAP + 1).subquery())).one()
    return min(n, COUNT_CAP), n > COUNT_CAP


def _row(r) -> dict:
    order, customer, region, product_code, product_name, owner = r
    return {"id": order.id, "order_no": order.order_no, "erp_no": order.erp_no, "status": order.status,
            "status_label": Status(order.status).label, "customer": customer, "region": region,
            "product": product_code, "product_name": product_name, "quantity": order.quantity,
            "promised_date": order.promised_date, "owner": owner, "priority": order.priority,
            "updated_at": order.updated_at, "version": order.version, "line": order.line,
            "open": Status(order.status) in OPEN_STATUSES}


def alert_levels_of(session: Session, order_ids: list[int]) -> dict[int, str]:
    """The highest open alert level of each listed order."""
    if not order_ids:
        return {}
    rank = {lvl: i for i, lvl in enumerate(ALERT_LEVELS)}
    out: dict[int, str] = {}
    rows = session.exec(select(Alert.order_id, Alert.level).where(
        Alert.order_id.in_(order_ids), Alert.status.in_(UNRESOLVED))).all()
    for oid, level in rows:
        if oid is not None and rank.get(level, -1) > rank.get(out.get(oid, ""), -1):
            out[oid] = level
    return out
