"""Use cases of the admin: mapping suggestions (group name contains the customer's name or short
name), a person's confirmation of a mapping, removing one, the customer's notice route, and what
the notification log shows of group-send tasks."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from core.errors import UserError
from core.types import utcnow
from custgroups import texts
from custgroups.models import ROUTES, CustomerGroup, CustomerGroupLink, GroupSendResult, GroupSendTask
from orders.models import Customer

MIN_NAME = 2  # a one-character short name would match nearly every group


class MappingError(UserError):
    """A mapping or route change that cannot be applied (the message is shown as it is)."""


@dataclass(frozen=True)
class Suggestion:
    group: CustomerGroup
    customer: Customer
    matched: str  # the name or short name found in the group name


def suggestions(session: Session) -> list[Suggestion]:
    """Unmapped (group, customer) pairs whose group name contains the customer's name or short name."""
    linked = set(session.exec(select(CustomerGroupLink.customer_id, CustomerGroupLink.group_id)).all())
    customers = session.exec(select(Customer).order_by(Customer.name)).all()
    groups = session.exec(select(CustomerGroup).where(CustomerGroup.gone.is_(False)).order_by(CustomerGroup.name)).all()
    out = []
    for g in groups:
        for c in customers:
            if (c.id, g.id) in linked:
                continue
            names = [n for n in (c.name, c.short_name) if n and len(n) >= MIN_NAME]
            hit = next((n for n in names if n in (g.name or "")), None)
            if hit:
                out.append(Suggestion(g, c, hit))
    return out


def link_group(session: Session, customer_id: int, group_id: int, by: str) -> CustomerGroupLink:
    """A person confirms that a group serves a customer."""
    customer, group = session.get(Customer, customer_id), session.get(CustomerGroup, group_id)
    if customer is None or group is None:
        raise MappingError(texts.LINK_BAD)
    found = session.exec(select(CustomerGroupLink).where(CustomerGroupLink.customer_id == customer_id,
                                                         CustomerGroupLink.group_id == group_id)).first()
    if found is not None:
        raise MappingError(texts.LINK_EXISTS.format(group=group.name, customer=customer.name))
    link = CustomerGroupLink(customer_id=customer_id, group_id=group_id, confirmed_by=by, confirmed_at=utcnow())
    session.add(link)
    session.flush()
    return link


def unlink_group(session: Session, link_id: int) -> tuple[str, str]:
    """Remove a mapping; returns (group name, customer name)."""
    link = session.get(CustomerGroupLink, link_id)
    if link is None:
        raise MappingError(texts.LINK_BAD)
    group, customer = session.get(CustomerGroup, link.group_id), session.get(Customer, link.customer_id)
    session.delete(link)
    session.flush()
    return group.name, customer.name


def set_route(session: Session, customer_id: int, route: str) -> Customer:
    """How this customer's shipping notices go out: group / bridge / manual."""
    customer = session.get(Customer, customer_id)
    if customer is None or route not in ROUTES:
        raise MappingError(texts.ROUTE_BAD)
    customer.notice_route = route
    session.add(customer)
    session.flush()
    return customer


def links_by_group(session: Session) -> dict[int, list[tuple[CustomerGroupLink, Customer]]]:
    """group id -> its confirmed customers."""
    out: dict[int, list] = {}
    rows = session.exec(select(CustomerGroupLink, Customer).join(Customer, Customer.id == CustomerGroupLink.customer_id)
                        .order_by(CustomerGroupLink.id)).all()
    for link, customer in rows:
        out.setdefault(link.group_id, []).append((link, customer))
    return out


def results_by_notification(session: Session, notification_ids: list[int]) -> dict[int, list[tuple[str, str, str]]]:
    """notification id -> [(group name, result label, detail)] of its group-send task."""
    if not notification_ids:
        return {}
    tasks = session.exec(select(GroupSendTask).where(GroupSendTask.notification_id.in_(notification_ids))).all()
    names = dict(session.exec(select(CustomerGroup.chat_id, CustomerGroup.name)).all())
    out: dict[int, list] = {}
    for t in tasks:
        rows = session.exec(select(GroupSendResult).where(GroupSendResult.task_id == t.id)
                            .order_by(GroupSendResult.id)).all()
        out[t.notification_id] = [(names.get(r.chat_id) or r.chat_id, texts.RESULT_LABELS.get(r.state, r.state),
                                   r.detail) for r in rows]
    return out
