"""Order numbers: SO + order date yyyymmdd + '-' + 4-digit daily sequence."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import text
from sqlmodel import Session

ORDER_NO = re.compile(r"^SO(\d{8})-(\d{4})$")

_BUMP = text(
    "INSERT INTO ordersequence (day, last) VALUES (:day, 1) "
    "ON CONFLICT (day) DO UPDATE SET last = ordersequence.last + 1 RETURNING last"
)


def next_order_no(session: Session, day: date) -> str:
    """Take the next number of `day`; one atomic upsert, safe across processes."""
    key = day.strftime("%Y%m%d")
    seq = session.execute(_BUMP, {"day": key}).scalar_one()
    if seq > 9999:
        raise OverflowError(f"more than 9999 orders on {key}")
    return f"SO{key}-{seq:04d}"


def is_order_no(value: str) -> bool:
    return bool(ORDER_NO.match(value or ""))


_BUMP_MANY = text(
    "INSERT INTO ordersequence (day, last) VALUES (:day, :count) "
    "ON CONFLICT (day) DO UPDATE SET last = ordersequence.last + :count RETURNING last"
)


def take_order_nos_by_day(session: Session, counts: dict[date, int]) -> dict[date, list[str]]:
    """Take `count` consecutive numbers of each day in one multi-row upsert (one round trip per batch)."""
    if not counts:
        return {}
    keys = {day.strftime("%Y%m%d"): (day, count) for day, count in counts.items()}
    params, values = {}, []
    for i, (key, (_day, count)) in enumerate(keys.items()):
        params[f"d{i}"], params[f"c{i}"] = key, count
        values.append(f"(:d{i}, :c{i})")
    stmt = text("INSERT INTO ordersequence (day, last) VALUES " + ", ".join(values) +
                " ON CONFLICT (day) DO UPDATE SET last = ordersequence.last + excluded.last RETURNING day, last")
    out = {}
    for key, last in session.execute(stmt, params).all():
        day, count = keys[key]
        if last > 9999:
            raise OverflowError(f"more than 9999 orders on {key}")
        out[day] = [f"SO{key}-{seq:04d}" for seq in range(last - count + 1, last + 1)]
    return out


def take_order_nos(session: Session, day: date, count: int) -> list[str]:
    """Take `count` consecutive numbers of `day` in one atomic upsert (bulk imports)."""
    key = day.strftime("%Y%m%d")
    last = session.execute(_BUMP_MANY, {"day": key, "count": count}).scalar_one()
    if last > 9999:
        raise OverflowError(f"more than 9999 orders on {key}")
    return [f"SO{key}-{seq:04d}" for seq in range(last - count + 1, last + 1)]
