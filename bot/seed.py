"""Demo data of the bot: bridge sender ids of the demo staff (`wxid_demo_<role>` → `demo.<role>`)."""

from __future__ import annotations

from sqlmodel import Session, select

from bot.models import ChatIdentity
from orders.models import Staff

DEMO_PREFIX = "demo."
BRIDGE_PREFIX = "wxid_demo_"


def seed_chat_identities(session: Session, created: dict | None = None) -> int:
    """Map each demo staff member's bridge id to them; idempotent; returns how many were added."""
    people = session.exec(select(Staff).where(Staff.userid.like(f"{DEMO_PREFIX}%"))).all()
    known = set(session.exec(select(ChatIdentity.external_id).where(ChatIdentity.platform == "bridge")).all())
    added = 0
    for person in people:
        external_id = BRIDGE_PREFIX + person.userid.removeprefix(DEMO_PREFIX)
        if external_id in known:
            continue
        session.add(ChatIdentity(platform="bridge", external_id=external_id, staff_id=person.id,
                                 display_name=person.name))
        added += 1
    session.flush()
    return added
