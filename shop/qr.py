"""The ordering link's QR card: a PNG kept outside static, printed from the admin and sent to the customer
through the outbox: into their WeCom customer groups as a group-send task with the image (one per group owner,
who confirms with one tap — no robot or app can post into an external group), into bridged WeChat groups as a
bridge notice, into the customer's robot groups as an image; when none of that reaches the customer (no
customer group, no bridge) the sales owner gets the image in WeCom to forward by hand."""

from __future__ import annotations

import io
import secrets
from pathlib import Path

import qrcode
from PIL import Image, ImageDraw
from sqlmodel import Session, select

from core.bus import UnitOfWork
from custgroups.groupsend import by_owner, mapped_groups
from custgroups.models import GroupSendResult, GroupSendTask
from logistics.models import BridgeNotice
from notify.fonts import load_font
from notify.outbox import queue_notification
from orders.models import Customer, CustomerChat, Staff
from shop import texts
from shop.models import ShopLink

WIDTH = 600


def render_card(url: str, customer: str, caption: str, font_path: str | None = None) -> bytes:
    """A 600 px wide PNG: customer name, the QR of the link, a caption."""
    code = qrcode.make(url, box_size=12, border=2).get_image().convert("RGB")
    code = code.resize((480, 480), Image.NEAREST)
    card = Image.new("RGB", (WIDTH, 680), "white")
    draw = ImageDraw.Draw(card)
    title, small = load_font(34, font_path), load_font(26, font_path)
    draw.text((WIDTH // 2, 50), customer[:18], fill="black", font=title, anchor="mm")
    card.paste(code, ((WIDTH - 480) // 2, 90))
    draw.text((WIDTH // 2, 630), caption, fill="#333333", font=small, anchor="mm")
    out = io.BytesIO()
    card.save(out, "PNG", optimize=True)
    return out.getvalue()


def write_card(folder: Path, data: bytes) -> Path:
    """Store the card under a random name (it carries the link)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{secrets.token_hex(16)}.png"
    path.write_bytes(data)
    return path


def qr_dir(settings) -> Path:
    return Path(settings.shop.files_dir) / "qr"


def forget_card(link: ShopLink) -> None:
    """Delete a revoked link's card: a reprint must not hand out a dead link."""
    if link.qr_path:
        Path(link.qr_path).unlink(missing_ok=True)


def customer_groups(session: Session, customer_id: int) -> list[CustomerChat]:
    """The customer's own groups we can post an image in: robot groups and bridged WeChat groups (not internal)."""
    chats = session.exec(select(CustomerChat).where(CustomerChat.customer_id == customer_id,
                                                    CustomerChat.internal.is_(False)).order_by(CustomerChat.id)).all()
    return [c for c in chats if c.robot_key or c.platform == "bridge"]


def queue_card(uow: UnitOfWork, link: ShopLink, *, key: str) -> int:
    """Queue the card to the customer (idempotent on `key`); returns rows added."""
    s = uow.session
    customer = s.get(Customer, link.customer_id)
    text = texts.group_card_text(customer.name)
    image = {"msgtype": "image", "image_path": link.qr_path}
    added = tasks = _group_send(uow, customer, link, text, key)
    bridged = 0
    for chat in customer_groups(s, link.customer_id):
        dedupe = f"{key}:{chat.id}"
        if chat.platform == "bridge":
            bridged += 1
            if s.exec(select(BridgeNotice.id).where(BridgeNotice.dedupe_key == dedupe)).first():
                continue
            s.add(BridgeNotice(chat_id=chat.chat_id, order_id=None, kind="shop_qr", text=text, image_path=link.qr_path,
                               dedupe_key=dedupe))
            added += 1
            continue
        if queue_notification(uow, kind="shop_qr", channel="wecom_robot", recipient=chat.robot_key,
                              recipient_name=chat.chat_name, body=text, payload=image, dedupe_key=dedupe):
            added += 1
        if queue_notification(uow, kind="shop_qr", channel="wecom_robot", recipient=chat.robot_key,
                              recipient_name=chat.chat_name, body=text, payload={"msgtype": "text"},
                              dedupe_key=f"{dedupe}:text"):
            added += 1
    if not tasks and not bridged:
        added += _to_sales_owner(uow, customer, text, image, key)
    s.flush()
    return added


def _group_send(uow: UnitOfWork, customer: Customer, link: ShopLink, text: str, key: str) -> int:
    """One group-send task per owner of the customer's WeCom customer groups, with the card; tasks added."""
    s = uow.session
    added = 0
    for owner, groups in by_owner(mapped_groups(s, customer.id)).items():
        chat_ids = [g.chat_id for g in groups]
        person = s.exec(select(Staff).where(Staff.userid == owner)).first()
        name = person.name if person else owner
        n = queue_notification(uow, kind="shop_qr", channel="wecom_groupsend", recipient=owner, recipient_name=name,
                               body=text, payload={"chat_id_list": chat_ids, "image_path": link.qr_path,
                                                   "text": text}, dedupe_key=f"{key}:groupsend:{owner}")
        if n is None:
            continue
        task = GroupSendTask(notification_id=n.id, order_id=None, sender=owner, chat_ids=chat_ids)
        s.add(task)
        s.flush()
        s.add_all([GroupSendResult(task_id=task.id, chat_id=c) for c in chat_ids])
        queue_notification(uow, kind="shop_qr", channel="wecom_app", recipient=owner, recipient_name=name,
                           body=texts.qr_tap_to_confirm(customer.name, [g.name or g.chat_id for g in groups]),
                           payload={"msgtype": "text"}, dedupe_key=f"{key}:groupsend:{owner}:tap")
        added += 1
    return added


def _to_sales_owner(uow: UnitOfWork, customer: Customer, text: str, image: dict, key: str) -> int:
    """No customer group or bridge reaches the customer: the sales owner gets the card to forward."""
    owner = uow.session.get(Staff, customer.sales_owner_id) if customer.sales_owner_id else None
    if owner is None or not owner.userid:
        return 0
    who = {"kind": "shop_qr", "channel": "wecom_app", "recipient": owner.userid, "recipient_name": owner.name}
    added = 1 if queue_notification(uow, body=text, payload=image, dedupe_key=f"{key}:sales:image", **who) else 0
    if queue_notification(uow, body=texts.qr_forward(customer.name, text), payload={"msgtype": "text"},
                          dedupe_key=f"{key}:sales:text", **who):
        added += 1
    return added
