"""The monthly accuracy audit of the original brief: a uniform random sample of up to 100 orders delivered
in one month (reproducible: `random.Random(seed).sample` over the month's delivered order ids, sorted), a
person's verdict on each order's status history, and the accuracy rate with its Wilson 95 % interval.
One audit per month; it may be drawn again only while no verdict has ever been given. Every change of a
verdict is kept (AccuracyAuditChange) beside the item's own last change (checked_by, checked_at)."""

from __future__ import annotations

import random
import re
import secrets
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from core.types import utcnow
from insight import texts
from insight.models import AccuracyAudit, AccuracyAuditChange, AccuracyAuditItem
from insight.stats import rate, wilson
from orders.exceptions import OrderError
from orders.models import Customer, Order

SAMPLE_SIZE = 100
VERDICTS = ("correct", "wrong", "unchecked")
MAX_NOTE = 500
MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class AuditError(OrderError):
    """Base of the audit's errors (their message is the Chinese text shown)."""


class BadMonth(AuditError):
    http_status = 400
    code = "bad_month"


class BadVerdict(AuditError):
    http_status = 400
    code = "bad_verdict"


class AuditNotFound(AuditError):
    http_status = 404
    code = "audit_not_found"


class AuditLocked(AuditError):
    """A redraw of an audit some verdict was already given in."""

    http_status = 409
    code = "audit_locked"


class SampleChanged(AuditError):
    """A verdict sent for an order that the item no longer holds (the month was drawn again meanwhile)."""

    http_status = 409
    code = "sample_changed"


class NothingDelivered(AuditError):
    http_status = 409
    code = "nothing_delivered"


def parse_month(text: str, tz: ZoneInfo, now: datetime | None = None) -> tuple[datetime, datetime]:
    """[start, end) in UTC of a `YYYY-MM` month in the business time zone; BadMonth for another shape, a
    year before 2000 or a month after the current one."""
    found = MONTH.match(text or "")
    if not found or not 1 <= int(found[2]) <= 12 or int(found[1]) < 2000:
        raise BadMonth(texts.AUDIT_BAD_MONTH)
    year, month = int(found[1]), int(found[2])
    if text > current_month(tz, now):
        raise BadMonth(texts.AUDIT_FUTURE_MONTH)
    start = datetime(year, month, 1, tzinfo=tz)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=tz)
    return start.astimezone(ZoneInfo("UTC")), end.astimezone(ZoneInfo("UTC"))


def current_month(tz: ZoneInfo, now: datetime | None = None) -> str:
    """This month as `YYYY-MM` in the business time zone."""
    return (now or utcnow()).astimezone(tz).strftime("%Y-%m")


def delivered_ids(s: Session, start: datetime, end: datetime) -> list[int]:
    """Ids of the orders delivered in [start, end), ascending: the population the sample is drawn from."""
    return list(s.exec(select(Order.id).where(Order.delivered_at >= start, Order.delivered_at < end)
                       .order_by(Order.id)).all())


def draw_sample(ids: list[int], seed: int, size: int = SAMPLE_SIZE) -> list[int]:
    """A uniform sample without replacement of min(size, len(ids)) ids, in draw order; the same ids and
    seed always give the same sample."""
    return random.Random(seed).sample(sorted(ids), min(size, len(ids)))


def audit_of(s: Session, month: str) -> AccuracyAudit | None:
    """The month's audit, if drawn."""
    return s.exec(select(AccuracyAudit).where(AccuracyAudit.month == month)).first()


def _fill(s: Session, audit: AccuracyAudit, tz: ZoneInfo, seed: int | None, now: datetime | None) -> None:
    """Draw (again) the sample of `audit`'s month into it."""
    start, end = parse_month(audit.month, tz, now)
    ids = delivered_ids(s, start, end)
    if not ids:
        raise NothingDelivered(texts.AUDIT_NOTHING_DELIVERED.format(month=audit.month))
    audit.seed = secrets.randbelow(2**31) if seed is None else seed
    chosen = draw_sample(ids, audit.seed)
    audit.delivered, audit.sample_size = len(ids), len(chosen)
    s.add(audit)
    s.flush()
    s.add_all(AccuracyAuditItem(audit_id=audit.id, order_id=oid, position=i) for i, oid in enumerate(chosen, 1))
    s.flush()


def draw_audit(s: Session, month: str, tz: ZoneInfo, drawn_by: str, *, redraw: bool = False,
               seed: int | None = None, now: datetime | None = None) -> tuple[AccuracyAudit, bool]:
    """(the month's audit, whether it was drawn now). An existing audit is returned as it is, unless
    `redraw`: then drawn again with a new seed, refused (AuditLocked) once any verdict was given."""
    parse_month(month, tz, now)
    audit = audit_of(s, month)
    if audit is not None and not redraw:
        return audit, False
    if audit is not None:
        if ever_checked(s, audit.id):
            raise AuditLocked(texts.AUDIT_LOCKED)
        s.exec(delete(AccuracyAuditItem).where(AccuracyAuditItem.audit_id == audit.id))
        audit.drawn_at, audit.drawn_by = now or utcnow(), drawn_by
        _fill(s, audit, tz, seed, now)
        s.commit()
        return audit, True
    try:
        audit = new_audit(s, month, tz, drawn_by, seed=seed, now=now)
        s.commit()
    except IntegrityError:  # someone drew the same month at the same moment: theirs stands
        s.rollback()
        return audit_of(s, month), False
    return audit, True


def new_audit(s: Session, month: str, tz: ZoneInfo, drawn_by: str, *, seed: int | None = None,
              now: datetime | None = None) -> AccuracyAudit:
    """Draw a month that has no audit yet (flushed, not committed)."""
    audit = AccuracyAudit(month=month, seed=0, delivered=0, sample_size=0, drawn_by=drawn_by, drawn_at=now or utcnow())
    _fill(s, audit, tz, seed, now)
    return audit


def ever_checked(s: Session, audit_id: int) -> bool:
    """Some verdict of the audit was ever given (even if set back to unchecked since)."""
    return s.exec(select(func.count()).select_from(AccuracyAuditChange)
                  .join(AccuracyAuditItem, AccuracyAuditItem.id == AccuracyAuditChange.item_id)
                  .where(AccuracyAuditItem.audit_id == audit_id)).one() > 0


def set_verdict(s: Session, audit: AccuracyAudit, item_id: int, verdict: str, note: str, by: str,
                now: datetime | None = None, order_no: str | None = None) -> AccuracyAuditItem:
    """Record a verdict (and note) on one sampled order, traced on the item and in the change log;
    SampleChanged when `order_no` is given and the item holds another order (a redraw reused its id)."""
    if verdict not in VERDICTS:
        raise BadVerdict(texts.AUDIT_BAD_VERDICT)
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise BadVerdict(texts.AUDIT_NOTE_TOO_LONG.format(n=MAX_NOTE))
    item = s.get(AccuracyAuditItem, item_id)
    if item is None or item.audit_id != audit.id:
        raise AuditNotFound(texts.AUDIT_ITEM_NOT_FOUND)
    if order_no and s.get(Order, item.order_id).order_no != order_no:
        raise SampleChanged(texts.AUDIT_SAMPLE_CHANGED)
    record_verdict(s, item, verdict, note, by, now or utcnow())
    s.commit()
    return item


def record_verdict(s: Session, item: AccuracyAuditItem, verdict: str, note: str, by: str, at: datetime) -> None:
    """Set the item's verdict and trace (who, when), and keep the change in the log (no commit)."""
    item.verdict, item.note, item.checked_by, item.checked_at = verdict, note, by, at
    s.add(item)
    s.add(AccuracyAuditChange(item_id=item.id, verdict=verdict, note=note, changed_by=by, changed_at=at))


def tally(correct: int, wrong: int, sample_size: int) -> dict:
    """Progress and the accuracy rate (correct ÷ checked) with its Wilson 95 % interval (None until one
    order is checked)."""
    checked = correct + wrong
    low, high = wilson(correct, checked) if checked else (None, None)
    return {"sample_size": sample_size, "checked": checked, "correct": correct, "wrong": wrong,
            "rate": rate(correct, checked), "ci_low": low, "ci_high": high}


def _head(audit: AccuracyAudit, counts: dict) -> dict:
    return {"id": audit.id, "month": audit.month, "seed": audit.seed, "delivered": audit.delivered,
            "drawn_at": audit.drawn_at, "drawn_by": audit.drawn_by,
            **tally(counts.get("correct", 0), counts.get("wrong", 0), audit.sample_size)}


def _counts(s: Session, audit_ids: list[int]) -> dict[int, dict[str, int]]:
    rows = s.exec(select(AccuracyAuditItem.audit_id, AccuracyAuditItem.verdict, func.count())
                  .where(AccuracyAuditItem.audit_id.in_(audit_ids))
                  .group_by(AccuracyAuditItem.audit_id, AccuracyAuditItem.verdict)).all() if audit_ids else []
    out: dict[int, dict[str, int]] = {}
    for audit_id, verdict, n in rows:
        out.setdefault(audit_id, {})[verdict] = int(n)
    return out


def audit_list(s: Session) -> list[dict]:
    """Every audit, newest month first, with its progress and rate (the trend)."""
    audits = s.exec(select(AccuracyAudit).order_by(AccuracyAudit.month.desc())).all()
    counts = _counts(s, [a.id for a in audits])
    return [_head(a, counts.get(a.id, {})) for a in audits]


def audit_detail(s: Session, audit: AccuracyAudit, tz: ZoneInfo) -> dict:
    """One audit with its items in draw order: order number, customer, delivered date, verdict and trace."""
    rows = s.exec(select(AccuracyAuditItem, Order.order_no, Order.delivered_at, Order.status, Customer.name)
                  .join(Order, Order.id == AccuracyAuditItem.order_id)
                  .join(Customer, Customer.id == Order.customer_id)
                  .where(AccuracyAuditItem.audit_id == audit.id)
                  .order_by(AccuracyAuditItem.position)).all()
    items = [{"id": it.id, "position": it.position, "order_no": no, "customer": cust, "status": status,
              "delivered_on": delivered.astimezone(tz).date() if delivered else None,
              "verdict": it.verdict, "verdict_label": texts.VERDICT_LABELS[it.verdict], "note": it.note,
              "checked_by": it.checked_by, "checked_at": it.checked_at} for it, no, delivered, status, cust in rows]
    counts = {v: sum(1 for i in items if i["verdict"] == v) for v in VERDICTS}
    return {**_head(audit, counts), "ever_checked": ever_checked(s, audit.id), "items": items}


def audit_changes(s: Session, audit_id: int) -> list[dict]:
    """Every verdict change of the audit, oldest first, with its order number."""
    rows = s.exec(select(AccuracyAuditChange, Order.order_no)
                  .join(AccuracyAuditItem, AccuracyAuditItem.id == AccuracyAuditChange.item_id)
                  .join(Order, Order.id == AccuracyAuditItem.order_id)
                  .where(AccuracyAuditItem.audit_id == audit_id)
                  .order_by(AccuracyAuditChange.changed_at, AccuracyAuditChange.id)).all()
    return [{"order_no": no, "verdict": c.verdict, "verdict_label": texts.VERDICT_LABELS[c.verdict],
             "note": c.note, "changed_by": c.changed_by, "changed_at": c.changed_at} for c, no in rows]
