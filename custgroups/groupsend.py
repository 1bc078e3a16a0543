"""Shipping notices into customer groups: one group-send task per mapped group.

No robot or app can post into an external group; WeCom's way is a group-send task
(`add_msg_template`, chat_type group) that the group owner confirms with one tap. For an order of
a customer whose notice route is "group", `queue_group_send` adds, in the caller's transaction, per
mapped group: the outbox row that creates the task (channel `wecom_groupsend`, `chat_id_list` = that
one group, sender = its owner) and the task row that `custgroups.poll` follows, so every group has its
own confirmation and result. The notice image is uploaded once and reused by all of them
(`custgroups.channel.MediaStore`). Each owner gets one app message per shipment listing their groups
and saying that each is confirmed with one tap.
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
    """owner userid -> their groups (WeCom: the sender must own the group of its task)."""
    out: dict[str, list[CustomerGroup]] = {}
    for g in groups:
        out.setdefault(g.owner_userid, []).append(g)
    return out


def queue_group_send(uow: UnitOfWork, order: Order, image_path: Path | str, key: str) -> int:
    """Queue one task per mapped group of the customer (sender = the group's owner) and one tap-to-confirm
    message per owner; returns the tasks queued, 0 when there is no mapped group (use a fallback)."""
    s = uow.session
    customer = s.get(Customer, order.customer_id)
    text = texts.GROUP_TEXT.format(customer=customer.short_name or customer.name, order_no=order.order_no,
                                   carrier=order.carrier or NONE, tracking_no=order.tracking_no or NONE)
    owners = by_owner(mapped_groups(s, order.customer_id))
    added = 0
    for owner, groups in owners.items():
        person = s.exec(select(Staff).where(Staff.userid == owner)).first()
        name = person.name if person else owner
        for g in groups:
            n = queue_notification(uow, kind="notice", channel="wecom_groupsend", recipient=owner,
                                   recipient_name=name, order_id=order.id, body=text,
                                   payload={"chat_id_list": [g.chat_id], "image_path": str(image_path),
                                            "text": text},
                                   dedupe_key=f"{key}:groupsend:{g.chat_id}")
            if n is None:
                continue  # this shipment's task for this group exists already
            task = GroupSendTask(notification_id=n.id, order_id=order.id, sender=owner, chat_ids=[g.chat_id])
            s.add(task)
            s.flush()
            s.add(GroupSendResult(task_id=task.id, chat_id=g.chat_id))
            added += 1
        queue_notification(uow, kind="notice", channel="wecom_app", recipient=owner, recipient_name=name,
                           order_id=order.id,
                           body=texts.tap_to_confirm(order.order_no, customer.name,
                                                     [g.name or g.chat_id for g in groups]),
                           payload={"msgtype": "text"}, dedupe_key=f"{key}:groupsend:{owner}:tap")
    return added
