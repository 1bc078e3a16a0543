"""The fast path of one import batch: rows checked in Python, new orders and their events inserted in bulk.

Existing orders of the batch's ERP numbers are read in one query; unchanged rows cost no write,
changed ones are updated one by one. New orders take their numbers per order date in one upsert and
go in with one INSERT … RETURNING, their "imported" events with another. If the bulk insert fails
(an ERP number imported meanwhile by someone else), the caller runs the batch row by row instead.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta

from sqlalchemy import String, any_, bindparam, insert, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Session, select

from orders import texts
from orders.actor import Actor
from orders.import_rows import Lookups, ParsedRow, RowError, apply_row, parse_row
from orders.models import Order, StatusEvent
from orders.numbering import take_order_nos_by_day


def checked(lookups: Lookups, batch, columns: set[str], *, today: date, window: int):
    """(row number, ParsedRow or None, result text or None) for each row; failures and skips have a text."""
    first = today - timedelta(days=window)
    out = []
    for number, values in batch:
        try:
            row = parse_row(values, columns, lookups, today=today)
        except RowError as exc:
            out.append((number, None, "failed", texts.IMPORT_FAILED.format(row=number, reason=str(exc))))
            continue
        if row.order_date < first:
            out.append((number, None, "skipped", texts.IMPORT_TOO_OLD.format(
                row=number, date=row.order_date.isoformat(), days=window, first=first.isoformat())))
            continue
        out.append((number, row, None, None))
    return out


# The columns a re-import compares (orders.import_rows.row_changes reads them by attribute).
COMPARED = (Order.id, Order.order_no, Order.erp_no, Order.customer_id, Order.product_id, Order.quantity,
            Order.promised_date, Order.status, Order.sales_owner_id, Order.priority, Order.internal_note)


def existing_orders(s: Session, rows: list[ParsedRow]) -> dict[str, object]:
    """The orders already holding the rows' ERP numbers, in one query, as light rows of the compared
    columns (building 2,000 full ORM orders per batch was a fifth of a re-import); the caller loads the
    full order only for the rows that change it."""
    erps = sorted({r.erp_no for r in rows if r.erp_no})
    found: dict[str, object] = {}
    if not erps:
        return found
    if s.get_bind().dialect.name == "postgresql":  # one array parameter instead of thousands of bound values
        param = bindparam("erps", erps, type_=ARRAY(String))
        return {o.erp_no: o for o in s.execute(select(*COMPARED).where(Order.erp_no == any_(param))).all()}
    for start in range(0, len(erps), 900):  # under SQLite's bound-parameter limit
        chunk = erps[start:start + 900]
        found.update({o.erp_no: o for o in s.execute(select(*COMPARED).where(Order.erp_no.in_(chunk))).all()})
    return found


def full_orders(s: Session, ids: list[int]) -> dict[int, Order]:
    """The ORM orders of `ids` (those a batch changes), in one query per 900."""
    out: dict[int, Order] = {}
    for start in range(0, len(ids), 900):
        out.update({o.id: o for o in s.exec(select(Order).where(Order.id.in_(ids[start:start + 900]))).all()})
    return out


def insert_new(s: Session, rows: list[tuple[int, ParsedRow]], *, actor: Actor, now: datetime, tz) -> dict[int, str]:
    """Insert the new orders and one imported event each; row number → order number."""
    by_day: dict[date, list[tuple[int, ParsedRow]]] = {}
    for item in rows:
        by_day.setdefault(item[1].order_date, []).append(item)
    orders, numbers = [], {}
    taken = take_order_nos_by_day(s, {day: len(items) for day, items in by_day.items()})
    for day, items in sorted(by_day.items()):
        at = min(now, datetime.combine(day, time(9, 0), tz))
        for (number, row), order_no in zip(items, taken[day], strict=True):
            numbers[number] = order_no
            orders.append({
                "order_no": order_no, "erp_no": row.erp_no, "customer_id": row.customer.id,
                "product_id": row.product.id, "quantity": row.quantity, "promised_date": row.promised_date,
                "status": row.status.value, "priority": row.priority, "sales_owner_id": row.sales_owner_id,
                "created_at": at, "updated_at": now, "updated_by": actor.name, "internal_note": row.note,
                "version": 1})
    copy = s.get_bind().dialect.name == "postgresql"
    if copy:  # COPY: a 1,000-row multi-VALUES INSERT is re-parsed by psycopg on every execution
        ids = _copy_orders(s, orders)
    else:
        ids = dict(s.execute(insert(Order).returning(Order.order_no, Order.id, sort_by_parameter_order=True),
                             orders).all())
    rows_by_no = {numbers[n]: r for n, r in rows}
    events = [{
        "order_id": ids[o["order_no"]], "from_status": None, "to_status": o["status"], "command": "import",
        "at": now, "actor": actor.name, "source": actor.source,
        "note": texts.IMPORT_EVENT_NOTE.format(word=rows_by_no[o["order_no"]].status_word
                                               or rows_by_no[o["order_no"]].status.label),
        "data": {"erp_no": o["erp_no"], "order_date": o["created_at"].astimezone(tz).date().isoformat()}}
        for o in orders]
    if copy:
        _copy(s, StatusEvent.__table__, events, json_columns=("data",))
    else:
        s.execute(insert(StatusEvent), events)
    return numbers


def _copy_orders(s: Session, orders: list[dict]) -> dict[str, int]:
    """PostgreSQL: take the new orders' ids from their sequence, then COPY them in; order number → id."""
    ids = s.execute(text("SELECT nextval(pg_get_serial_sequence('\"order\"', 'id')) FROM generate_series(1, :n)"),
                    {"n": len(orders)}).scalars().all()
    for o, new_id in zip(orders, ids, strict=True):
        o["id"] = new_id
    _copy(s, Order.__table__, orders)
    return {o["order_no"]: o["id"] for o in orders}


def _copy(s: Session, table, rows: list[dict], json_columns: tuple[str, ...] = ()) -> None:
    """COPY `rows` (dicts with the same keys) into `table` on the session's own connection and transaction.
    Columns not named take their server defaults, so every column the model fills by default is named."""
    if not rows:
        return
    defaults = {c.name: c.default.arg for c in table.columns
                if c.default is not None and c.default.is_scalar and c.name not in rows[0]}
    names = [*rows[0], *defaults]
    raw = s.connection().connection.driver_connection
    columns = ", ".join(f'"{n}"' for n in names)
    with raw.cursor() as cur, cur.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as cp:
        for row in rows:
            cp.write_row([json.dumps(row[n], ensure_ascii=False) if n in json_columns else row.get(n, defaults.get(n))
                          for n in names])


def update_existing(s: Session, row: ParsedRow, order: Order, columns: set[str], *, actor: Actor,
                    now: datetime) -> tuple[str, str, str]:
    """Apply one row to its existing order (no query: the order is already loaded)."""
    return apply_row(s, row, columns, actor=actor, at=now, now=now, existing=order)
