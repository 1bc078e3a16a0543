"""Who sent a chat message: a staff member acting through chat, a customer in their group, or nobody known."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from bot.models import ChatIdentity
from orders.actor import Actor
from orders.models import CustomerChat, Staff

WECOM_PLATFORMS = ("wecom_app", "wecom_bot")


@dataclass(frozen=True)
class Sender:
    """The sender as the bot sees them; `actor` is None for anyone who is not active staff."""

    actor: Actor | None
    customer_id: int | None = None
    name: str = ""

    @property
    def is_staff(self) -> bool:
        return self.actor is not None

    @property
    def is_customer(self) -> bool:
        return self.actor is None and self.customer_id is not None


def staff_of(session: Session, platform: str, sender_id: str) -> Staff | None:
    """The active staff member behind a chat account: WeCom userid first, then ChatIdentity."""
    if not sender_id:
        return None
    if platform in WECOM_PLATFORMS:
        person = session.exec(select(Staff).where(Staff.userid == sender_id)).first()
        if person is not None:
            return person if person.active else None
    link = session.exec(select(ChatIdentity).where(ChatIdentity.platform == platform,
                                                   ChatIdentity.external_id == sender_id)).first()
    if link is None:
        return None
    person = session.get(Staff, link.staff_id)
    return person if person is not None and person.active else None


def customer_of_chat(session: Session, chat_id: str) -> int | None:
    """The customer whose group this chat is, or None (internal groups and one-to-one chats)."""
    if not chat_id:
        return None
    chat = session.exec(select(CustomerChat).where(CustomerChat.chat_id == chat_id)).first()
    if chat is None or chat.internal:
        return None
    return chat.customer_id


def identify(session: Session, *, platform: str, sender_id: str, sender_name: str, chat_id: str) -> Sender:
    """Map a message's sender to an Actor (source chat) or a customer of the chat."""
    person = staff_of(session, platform, sender_id)
    if person is not None:
        actor = Actor(name=person.name, source="chat", roles=person.role_set, userid=person.userid,
                      staff_id=person.id)
        return Sender(actor=actor, name=person.name)
    return Sender(actor=None, customer_id=customer_of_chat(session, chat_id), name=sender_name or sender_id)
