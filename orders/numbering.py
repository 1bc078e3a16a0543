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


def take_order_nos(session: Session, day: date, count: int) -> list[str]:
    """Take `count` consecutive numbers of `day` in one atomic upsert (bulk imports)."""
    key = day.strftime("%Y%m%d")
    last = session.execute(_BUMP_MANY, {"day": key, "count": count}).scalar_one()
    if last > 9999:
        raise OverflowError(f"more than 9999 orders on {key}")
    return [f"SO{key}-{seq:04d}" for seq in range(last - count + 1, last + 1)]
