"""Shipping notices into customer groups: one group-send task per group owner.

No robot or app can post into an external group; WeCom's way is a group-send task
(`add_msg_template`, chat_type group) that the group owner confirms with one tap. For an order of
a customer whose notice route is "group", `queue_group_send` groups the customer's mapped groups by
owner and, in the caller's transaction, adds per owner: the outbox row that creates the task
(channel `wecom_groupsend`, sender = owner), the task row that `custgroups.poll` follows, and an
app message telling the owner that one tap confirms.
"""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session, select

from core.bus import UnitOfWork
from custgroups import texts
from custgroups.models import CustomerGroup, CustomerGroupLink, GroupSendResult, GroupSendTask
from notify.outbox import queue_notification
from orders.models import Customer, Order, Staff

NONE = "—"


def mapped_groups(session: Session, customer_id: int) -> list[CustomerGroup]:
    """The customer's confirmed groups that WeCom still lists, oldest mapping first."""
    return list(session.exec(
        select(CustomerGroup).join(CustomerGroupLink, CustomerGroupLink.group_id == CustomerGroup.id)
        .where(CustomerGroupLink.customer_id == customer_id, CustomerGroup.gone.is_(False),
               CustomerGroup.owner_userid != "")
        .order_by(CustomerGroupLink.id)).all())


def by_owner(groups: list[CustomerGroup]) -> dict[str, list[CustomerGroup]]:
    """owner userid -> their groups (WeCom: the sender must own every group of a task)."""
    out: dict[str, list[CustomerGroup]] = {}
    for g in groups:
        out.setdefault(g.owner_userid, []).append(g)
    return out


def queue_group_send(uow: UnitOfWork, order: Order, image_path: Path | str, key: str) -> int:
    """Queue one task per owner of the customer's mapped groups; 0 when there is none (use a fallback)."""
    s = uow.session
    customer = s.get(Customer, order.customer_id)
    owners = by_owner(mapped_groups(s, order.customer_id))
    added = 0
    for owner, groups in owners.items():
        chat_ids = [g.chat_id for g in groups]
        text = texts.GROUP_TEXT.format(customer=customer.short_name or customer.name, order_no=order.order_no,
                                       carrier=order.carrier or NONE, tracking_no=order.tracking_no or NONE)
        person = s.exec(select(Staff).where(Staff.userid == owner)).first()
        n = queue_notification(uow, kind="notice", channel="wecom_groupsend", recipient=owner,
                               recipient_name=person.name if person else owner, order_id=order.id,
                               body=text, payload={"chat_id_list": chat_ids, "image_path": str(image_path),
                                                   "text": text},
                               dedupe_key=f"{key}:groupsend:{owner}")
        if n is None:
            continue  # this shipment's task for this owner exists already
        task = GroupSendTask(notification_id=n.id, order_id=order.id, sender=owner, chat_ids=chat_ids)
        s.add(task)
        s.flush()
        s.add_all([GroupSendResult(task_id=task.id, chat_id=c) for c in chat_ids])
        queue_notification(uow, kind="notice", channel="wecom_app", recipient=owner,
                           recipient_name=person.name if person else owner, order_id=order.id,
                           body=texts.tap_to_confirm(order.order_no, customer.name, [g.name or g.chat_id for g in groups]),
                           payload={"msgtype": "text"}, dedupe_key=f"{key}:groupsend:{owner}:tap")
        added += 1
    return added
