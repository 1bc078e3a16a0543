"""Ordering-link tokens: random, stored hashed, one live link per customer, revocable and re-issuable."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, select

from core.types import utcnow
from shop.models import ShopLink

TOKEN_BYTES = 24  # 192 bits of randomness
MAX_TOKEN_CHARS = 200


def hash_token(token: str) -> str:
    """sha256 hex of a token as it appears in the link."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def public_url(base_url: str, token: str) -> str:
    """The customer's ordering link for a raw token."""
    return f"{base_url.rstrip('/')}/s/{token}"


def issue_link(session: Session, customer_id: int, *, actor: str = "", now: datetime | None = None
               ) -> tuple[str, ShopLink]:
    """Revoke the customer's live link (if any) and issue a new one; returns the raw token (shown once)."""
    now = now or utcnow()
    revoke_links(session, customer_id, actor=actor, now=now)
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    row = ShopLink(customer_id=customer_id, token_hash=hash_token(raw), created_at=now, created_by=actor)
    session.add(row)
    session.flush()
    return raw, row


def find_live(session: Session, raw: str) -> ShopLink | None:
    """The live link row of a raw token, or None (unknown and revoked alike)."""
    if not raw or len(raw) > MAX_TOKEN_CHARS:
        return None
    row = session.exec(select(ShopLink).where(ShopLink.token_hash == hash_token(raw))).first()
    if row is None or row.revoked_at is not None:
        return None
    return row


def current_link(session: Session, customer_id: int) -> ShopLink | None:
    """The customer's live link row."""
    return session.exec(select(ShopLink).where(ShopLink.customer_id == customer_id, ShopLink.revoked_at.is_(None))
                        .order_by(ShopLink.id.desc())).first()


def revoke_links(session: Session, customer_id: int, *, actor: str = "", now: datetime | None = None) -> int:
    """Revoke every live link of a customer; returns how many."""
    res = session.exec(update(ShopLink).where(ShopLink.customer_id == customer_id, ShopLink.revoked_at.is_(None))
                       .values(revoked_at=now or utcnow(), revoked_by=actor))
    return res.rowcount
