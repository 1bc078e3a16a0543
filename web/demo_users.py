"""Demo logins: web's demo-seed step (`Feature.seed`), run by the demo factory after the orders exist.

One login per role, named after the role, password DEMO_PASSWORD, linked to the demo
staff member `demo.<role>` so the admin shows their name and chat moves carry it.
"""

from __future__ import annotations

from sqlmodel import Session, select
from werkzeug.security import generate_password_hash

from accounts.models import User
from orders.models import Staff
from orders.roles import Role

DEMO_PASSWORD = "demo1234"
DEMO_ROLES = tuple(r.value for r in Role if r != Role.SYSTEM)


def create_demo_users(session: Session, created: dict | None = None) -> int:
    """Add the missing demo logins (idempotent); returns how many were added. The caller commits."""
    have = set(session.exec(select(User.username)).all())
    added = 0
    for role in DEMO_ROLES:
        if role in have:
            continue
        staff = session.exec(select(Staff).where(Staff.userid == f"demo.{role}")).first()
        session.add(User(username=role, role=role, password_hash=generate_password_hash(DEMO_PASSWORD),
                         staff_id=staff.id if staff else None))
        added += 1
    session.flush()
    return added
