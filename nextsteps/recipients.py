"""Who a rule's recipient spec names, for one order."""

from __future__ import annotations

from sqlmodel import Session, select

from orders.models import Order, Staff
from orders.roles import Role


def _with_role(session: Session, role: str) -> list[Staff]:
    rows = session.exec(select(Staff).where(Staff.active == True, Staff.roles.like(f"%{role}%"))  # noqa: E712
                        .order_by(Staff.id)).all()
    return [s for s in rows if Role(role) in s.role_set]


def _head_of(session: Session, role: str) -> list[Staff]:
    """The department head of a role: its people whose own manager lacks the role."""
    people = _with_role(session, role)
    ids = {p.id for p in people}
    heads = [p for p in people if p.manager_id not in ids]
    return heads[:1] or people[:1]


def resolve(session: Session, spec: str, order: Order) -> list[Staff]:
    """Staff named by one spec: owner, role:<r>, head:<r>, line_lead."""
    kind, _, arg = spec.strip().partition(":")
    if kind == "owner":
        owner = session.get(Staff, order.sales_owner_id) if order.sales_owner_id else None
        return [owner] if owner else []
    if kind == "role":
        on_duty = [s for s in _with_role(session, arg) if s.on_duty]
        return on_duty or _head_of(session, arg)
    if kind == "head":
        return _head_of(session, arg)
    if kind == "line_lead":
        leads = [s for s in _with_role(session, "production") if order.line and s.line == order.line]
        return leads[:1] or _head_of(session, "production")
    return []


def resolve_all(session: Session, specs: str, order: Order) -> list[Staff]:
    """Every distinct person of a comma-separated recipient list, in order."""
    seen, people = set(), []
    for spec in specs.split(","):
        for person in resolve(session, spec, order):
            if person.id not in seen:
                seen.add(person.id)
                people.append(person)
    return people
