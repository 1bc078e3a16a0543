"""Customer tracking tokens: random, stored hashed, revocable, re-issuable, counted on view."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import case, literal, update
from sqlmodel import Session, select

from core.types import UTCDateTime, utcnow
from logistics.models import TrackingToken

TOKEN_BYTES = 24  # 192 bits of randomness
DEFAULT_TTL_DAYS = 180
BEFORE_DELIVERY = ("shipped", "in_transit")


def public_url(rt, token: str) -> str:
    """The customer's tracking link for a raw token."""
    return f"{rt.settings.public_base_url.rstrip('/')}/t/{token}"


def hash_token(token: str) -> str:
    """sha256 hex of a token as it appears in the link."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(session: Session, order_id: int, *, shipment_ref: str = "", ttl_days: int = DEFAULT_TTL_DAYS,
                now: datetime | None = None) -> tuple[str, TrackingToken]:
    """A new token for an order; returns the raw token (shown once) and its row."""
    now = now or utcnow()
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    row = TrackingToken(order_id=order_id, token_hash=hash_token(raw), shipment_ref=shipment_ref,
                        created_at=now, expires_at=now + timedelta(days=ttl_days))
    session.add(row)
    session.flush()
    return raw, row


def find_valid(session: Session, raw: str, *, now: datetime | None = None) -> TrackingToken | None:
    """The live token row for a raw token, or None (unknown, revoked and expired alike)."""
    if not raw or len(raw) > 200:
        return None
    row = session.exec(select(TrackingToken).where(TrackingToken.token_hash == hash_token(raw))).first()
    now = now or utcnow()
    if row is None or row.revoked_at is not None or (row.expires_at and row.expires_at <= now):
        return None
    return row


def revoke_for_order(session: Session, order_id: int, *, now: datetime | None = None) -> int:
    """Revoke every live token of an order; returns how many."""
    res = session.exec(update(TrackingToken)
                       .where(TrackingToken.order_id == order_id, TrackingToken.revoked_at.is_(None))
                       .values(revoked_at=now or utcnow()))
    return res.rowcount


def current_token(session: Session, order_id: int) -> TrackingToken | None:
    """The newest unrevoked token of an order."""
    return session.exec(select(TrackingToken)
                        .where(TrackingToken.order_id == order_id, TrackingToken.revoked_at.is_(None))
                        .order_by(TrackingToken.id.desc())).first()


def record_view(session: Session, token_id: int, order_status: str, *, now: datetime | None = None) -> None:
    """Count a view in one UPDATE (safe under concurrent views); keep the first view's time and status."""
    now = now or utcnow()
    first = TrackingToken.first_viewed_at.is_(None)
    session.exec(update(TrackingToken).where(TrackingToken.id == token_id).values(
        view_count=TrackingToken.view_count + 1,
        last_viewed_at=now,
        first_viewed_at=case((first, literal(now, UTCDateTime())), else_=TrackingToken.first_viewed_at),
        first_viewed_status=case((first, order_status), else_=TrackingToken.first_viewed_status),
    ).execution_options(synchronize_session=False))


def views_of(session: Session, order_id: int) -> dict:
    """How often the customer opened the order's links, and whether before delivery."""
    rows = session.exec(select(TrackingToken).where(TrackingToken.order_id == order_id)).all()
    firsts = [r.first_viewed_at for r in rows if r.first_viewed_at]
    return {"view_count": sum(r.view_count for r in rows), "first_viewed_at": min(firsts) if firsts else None,
            "checked_before_delivery": any(r.first_viewed_status in BEFORE_DELIVERY for r in rows)}
