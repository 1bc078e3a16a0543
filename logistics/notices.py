"""Shipping notices: render the image for an order, issue its token, queue who gets it.

Delivery (no robot can post into a customer's external group):
1. the image to internal groups by their group robot (ops groups: CustomerChat.internal with a
   robot_key; and the customer's internal WeCom group when it has a robot_key);
2. by the customer's `notice_route`:
   - "group": a WeCom group-send task per mapped customer group of the customer, sender = the group's
     owner, who confirms each with one tap (custgroups.groupsend); with no mapped group, as "manual";
   - "bridge" and "manual": a BridgeNotice for each personal-WeChat group of the customer (platform
     "bridge"), pulled by the bridge from GET /bridge/outbox;
   - "manual", and "bridge" with no bridged group: the image plus a one-line text to forward to the
     order's salesperson by WeCom app message.
Every row's dedupe key names the order and the shipment, so a retried job sends nothing twice.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from sqlalchemy import or_
from sqlmodel import Session, func, select

from core.bus import UnitOfWork
from core.runtime import Runtime
from custgroups.groupsend import queue_group_send
from logistics import texts
from logistics.models import BridgeNotice, TrackingToken
from logistics.tokens import issue_token, public_url, revoke_for_order
from notify.notice_image import ShippingNotice, render_notice, write_notice
from notify.outbox import queue_notification
from orders.flow import SELF_PICKUP
from orders.models import Customer, CustomerChat, Order, Product, Staff

log = logging.getLogger(__name__)
WEEKDAYS = "一二三四五六日"


def _when(dt: datetime | None, rt: Runtime) -> str:
    return dt.astimezone(rt.settings.tz).strftime("%Y-%m-%d %H:%M") if dt else texts.NONE_TEXT


def notice_of(session: Session, rt: Runtime, order: Order, url: str) -> ShippingNotice:
    """The texts an order's notice shows."""
    customer = session.get(Customer, order.customer_id)
    product = session.get(Product, order.product_id)
    eta = f"{order.eta.isoformat()}（周{WEEKDAYS[order.eta.weekday()]}）" if order.eta else texts.NONE_TEXT
    tracking = order.tracking_no or (texts.SELF_PICKUP_TEXT if order.carrier == SELF_PICKUP else texts.NONE_TEXT)
    return ShippingNotice(
        company=rt.settings.logistics.company_name or texts.DEFAULT_COMPANY, customer=customer.name if customer else "",
        order_no=order.order_no, product=f"{product.name} {product.code}" if product else "",
        quantity=texts.quantity_text(order.quantity), carrier=order.carrier or texts.NONE_TEXT,
        tracking_no=tracking, shipped_at=_when(order.shipped_at, rt), eta=eta, url=url,
    )


def issue_notice(uow: UnitOfWork, rt: Runtime, order: Order, *, shipment_ref: str,
                 revoke_old: bool = False) -> tuple[str, TrackingToken]:
    """New token + freshly rendered image `<order_no>-<n>.png`; returns the raw token and its row."""
    s = uow.session
    if revoke_old:
        revoke_for_order(s, order.id)
    version = s.exec(select(func.count()).select_from(TrackingToken)
                     .where(TrackingToken.order_id == order.id)).one() + 1
    raw, token = issue_token(s, order.id, shipment_ref=shipment_ref, ttl_days=rt.settings.logistics.tracking_token_days)
    rendered = render_notice(notice_of(s, rt, order, public_url(rt, raw)), font_path=rt.settings.notify.cjk_font)
    token.notice_path = str(write_notice(Path(rt.settings.logistics.notice_dir), order.order_no, version, rendered))
    s.add(token)
    s.flush()
    return raw, token


def ops_group_chats(session: Session, customer_id: int) -> list[CustomerChat]:
    """Internal groups a robot can post in: ops groups, and the customer's internal WeCom groups."""
    return list(session.exec(select(CustomerChat).where(
        CustomerChat.robot_key.is_not(None), CustomerChat.robot_key != "",
        or_(CustomerChat.internal.is_(True),
            (CustomerChat.customer_id == customer_id) & (CustomerChat.platform == "wecom")),
    ).order_by(CustomerChat.id)).all())


def bridge_chats(session: Session, customer_id: int) -> list[CustomerChat]:
    return list(session.exec(select(CustomerChat).where(
        CustomerChat.customer_id == customer_id, CustomerChat.platform == "bridge")).all())


def queue_notice_messages(uow: UnitOfWork, rt: Runtime, order: Order, image_path: Path | str,
                          url: str | None, key: str) -> int:
    """Queue the notice to ops groups, the salesperson and bridges; returns rows added."""
    s = uow.session
    customer = s.get(Customer, order.customer_id)
    sales = s.get(Staff, order.sales_owner_id) if order.sales_owner_id else None
    image = {"msgtype": "image", "image_path": str(image_path)}
    forward = texts.forward_line(order.order_no, order.carrier, order.tracking_no, url)
    common = {"kind": "notice", "order_id": order.id}
    added = 0
    for chat in ops_group_chats(s, order.customer_id):
        added += _q(uow, channel="wecom_robot", recipient=chat.robot_key, recipient_name=chat.chat_name,
                    body=texts.ops_group_text(order.order_no, customer.name, sales.name if sales else None),
                    payload=image, dedupe_key=f"{key}:robot:{chat.id}", **common)
    if customer.notice_route == "group":
        tasks = queue_group_send(uow, order, image_path, key)
        if tasks:
            return added + tasks
        log.warning("order %s: customer %s sends by customer group but has no mapped group; the salesperson "
                    "forwards instead", order.order_no, customer.name)
    bridged = bridge_chats(s, order.customer_id)
    for chat in bridged:
        added += _bridge(s, chat.chat_id, order.id, forward, str(image_path), f"{key}:bridge:{chat.id}")
    if customer.notice_route == "bridge" and bridged:
        return added  # the bridge posts it; the salesperson has nothing to forward
    if sales and sales.userid:
        who = {"recipient": sales.userid, "recipient_name": sales.name}
        added += _q(uow, channel="wecom_app", body=forward, payload=image,
                    dedupe_key=f"{key}:sales:{sales.userid}:image", **who, **common)
        added += _q(uow, channel="wecom_app", body=texts.salesperson_text(order.order_no, customer.name, forward),
                    payload={"msgtype": "text"}, dedupe_key=f"{key}:sales:{sales.userid}:text", **who, **common)
    else:
        log.warning("order %s has no salesperson with a WeCom userid: notice not sent to sales", order.order_no)
    return added


def _q(uow: UnitOfWork, **kw) -> int:
    return 1 if queue_notification(uow, **kw) is not None else 0


def _bridge(s: Session, chat_id: str, order_id: int, text: str, image_path: str, dedupe_key: str) -> int:
    if s.exec(select(BridgeNotice.id).where(BridgeNotice.dedupe_key == dedupe_key)).first():
        return 0
    s.add(BridgeNotice(chat_id=chat_id, order_id=order_id, text=text, image_path=image_path,
                       dedupe_key=dedupe_key))
    s.flush()
    return 1
