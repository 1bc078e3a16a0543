"""What the parser must know (open orders, ERP aliases, process names), cached briefly per process,
and resolution of short order references against open orders."""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field

from sqlmodel import Session, select

from core.db import new_session
from orders.models import Order, RouteStep
from orders.status import OPEN_STATUSES

TTL = 30.0  # seconds the lookups are reused by every message of this process
_OPEN = sorted(s.value for s in OPEN_STATUSES)


@dataclass(frozen=True)
class Lookups:
    """Arguments of nlu.parse that come from storage."""

    open_orders: tuple[str, ...] = ()
    aliases: dict = field(default_factory=dict)
    processes: tuple[str, ...] = ()


class LookupCache:
    """Lookups loaded at most once per TTL per process; `invalidate` after a new order."""

    def __init__(self, ttl: float = TTL):
        self.ttl = ttl
        self._lock = threading.Lock()
        self._value: Lookups | None = None
        self._loaded_at = 0.0

    def get(self, engine) -> Lookups:
        with self._lock:
            if self._value is None or time.monotonic() - self._loaded_at > self.ttl:
                self._value = load_lookups(engine)
                self._loaded_at = time.monotonic()
            return self._value

    def invalidate(self) -> None:
        with self._lock:
            self._value = None


def load_lookups(engine) -> Lookups:
    """Read open order numbers, their ERP aliases and every route process name."""
    with new_session(engine) as s:
        rows = s.exec(select(Order.order_no, Order.erp_no).where(Order.status.in_(_OPEN))).all()
        processes = s.exec(select(RouteStep.process).distinct()).all()
    return Lookups(
        open_orders=tuple(no for no, _ in rows),
        aliases={erp: no for no, erp in rows if erp},
        processes=tuple(sorted({p for p in processes if p})),
    )


def lookup_cache(runtime) -> LookupCache:
    """The one cache of this runtime (process)."""
    return runtime.extras.setdefault("bot.lookups", LookupCache())


def forget_lookups(event, uow) -> None:
    """A new order: the parser's lookups (open order numbers, aliases) are read again after commit."""
    cache = lookup_cache(uow.runtime)
    uow.after_commit(cache.invalidate)


_DIGITS = re.compile(r"\d+")
_DATED = re.compile(r"([01][0-9][0-3][0-9])-([0-9]{4})")


def _ref_suffix(ref: str) -> str | None:
    """How the order numbers a short reference means end: '-0042' for 0042 / 42号单, '1121-0005' for a
    date-style reference (month, day, sequence; any year)."""
    dated = _DATED.fullmatch((ref or "").strip())
    if dated:
        return f"{dated.group(1)}-{dated.group(2)}"
    digits = "".join(_DIGITS.findall(ref or ""))
    if not digits or len(digits) > 4:
        return None
    return f"-{digits.zfill(4)}"


def short_candidates(session: Session, ref: str, *, customer_id: int | None = None,
                     closed: bool = False) -> list[str]:
    """Open orders (closed ones with `closed`) whose number ends as a short reference says: '0042',
    '42号单' (daily sequence) or '1121-0005' (month, day and sequence)."""
    suffix = _ref_suffix(ref)
    if suffix is None:
        return []
    status = Order.status.not_in(_OPEN) if closed else Order.status.in_(_OPEN)
    stmt = select(Order.order_no).where(Order.order_no.like(f"%{suffix}"), status)
    if customer_id is not None:
        stmt = stmt.where(Order.customer_id == customer_id)
    return list(session.exec(stmt.order_by(Order.order_no.desc()).limit(50)).all())


def rank_candidates(session: Session, candidates: list[str], *, legal, staff_id: int | None) -> list[str]:
    """Narrow a short reference's candidates: those the command is legal for now, then the sender's own
    (sales owner, or changed by them), most recently changed by them first; the list left when still ambiguous."""
    from orders.models import StatusEvent
    from orders.status import Status

    rows = session.exec(select(Order).where(Order.order_no.in_(candidates))).all()
    legal_rows = [o for o in rows if legal(Status(o.status))]
    rows = legal_rows or rows
    if len(rows) <= 1 or staff_id is None:
        return [o.order_no for o in rows]
    touched = dict(session.exec(
        select(StatusEvent.order_id, StatusEvent.at).where(StatusEvent.order_id.in_([o.id for o in rows]),
                                                           StatusEvent.actor_staff_id == staff_id)
        .order_by(StatusEvent.at)).all())  # the latest change by the sender per order wins
    own = [o for o in rows if o.sales_owner_id == staff_id or o.id in touched]
    if len(own) == 1:
        return [own[0].order_no]
    if own and touched:
        latest = max((o for o in own if o.id in touched), key=lambda o: touched[o.id], default=None)
        if latest is not None:
            return [latest.order_no]
    return [o.order_no for o in (own or rows)]
