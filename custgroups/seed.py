"""Demo rows of custgroups: the demo customers' WeCom external groups as synced customer groups,
owned by each customer's salesperson and mapped to the customer, plus one unmapped group per
salesperson named after a customer, so the admin page shows a suggestion to confirm."""

from __future__ import annotations

from sqlmodel import Session, select

from custgroups.models import CustomerGroup, CustomerGroupLink
from orders.models import Customer, CustomerChat, Staff

DEMO_CONFIRMER = "演示数据"


def seed_customer_groups(session: Session, created: dict | None = None) -> int:
    """Add the demo's customer groups once (idempotent); returns how many groups were added."""
    if session.exec(select(CustomerGroup.id)).first() is not None:
        return 0
    rows = session.exec(select(CustomerChat, Customer, Staff)
                        .join(Customer, Customer.id == CustomerChat.customer_id)
                        .join(Staff, Staff.id == Customer.sales_owner_id)
                        .where(CustomerChat.platform == "wecom_external", Staff.userid.is_not(None))
                        .order_by(CustomerChat.id)).all()
    added, suggested = 0, set()
    for chat, customer, owner in rows:
        group = CustomerGroup(chat_id=chat.chat_id, name=chat.chat_name, owner_userid=owner.userid,
                              member_count=3 + chat.id % 5)
        session.add(group)
        session.flush()
        session.add(CustomerGroupLink(customer_id=customer.id, group_id=group.id, confirmed_by=DEMO_CONFIRMER))
        added += 1
        if owner.userid not in suggested and customer.short_name:
            suggested.add(owner.userid)
            session.add(CustomerGroup(chat_id=f"{chat.chat_id[:-4]}SUGG", name=f"{customer.short_name}售后服务群",
                                      owner_userid=owner.userid, member_count=4))
            added += 1
    session.flush()
    return added
