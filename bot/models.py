"""Tables of the chat entry points: every inbound message, and chat accounts mapped to staff."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.types import UTCDateTime, utcnow

# received -> processing -> processed | ignored | failed ; ignored at once for junk
STATUSES = ("received", "processing", "processed", "ignored", "failed")
PLATFORMS = ("wecom_app", "wecom_bot", "bridge")
CARD_EVENT = "template_card_event"  # msgtype of a button click on an app card (bot/cards.py applies it)
SCREENED = "screened: "  # error prefix of a message stored only to be answered with what was wrong


class InboundMessage(SQLModel, table=True):
    """One chat message as it arrived, stored before any processing (unique per platform message id)."""

    __tablename__ = "inbound_message"
    __table_args__ = (UniqueConstraint("platform", "platform_msg_id", name="uq_inbound_platform_msg"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(description="wecom_app | wecom_bot | bridge")
    platform_msg_id: str
    chat_id: str = ""
    chat_name: str = ""
    chat_type: str = Field(default="single", description="single | group")
    sender_id: str = ""
    sender_name: str = ""
    text: str = ""
    msgtype: str = "text"
    raw: dict = Field(default_factory=dict, sa_column=Column(JSON))
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    processed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime,
                                         description="while processing: retried by the catch-up after this")
    status: str = Field(default="received", index=True)
    parse_result: dict = Field(default_factory=dict, sa_column=Column(JSON))
    reply_text: str = ""
    response_url: str | None = None
    reply_channel: str | None = Field(default=None, description="outbox channel of the reply, None = in the answer")
    reply_to: str | None = Field(default=None, description="outbox recipient of the reply")
    error: str = ""
    photos: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]"),
                         description="per picture of the message: url, bytes, sha256, codes read or error")


class ChatIdentity(SQLModel, table=True):
    """A chat account (bridge sender id, other WeCom id) that belongs to a staff member."""

    __tablename__ = "chat_identity"
    __table_args__ = (UniqueConstraint("platform", "external_id", name="uq_chat_identity"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(description="bridge | wecom_app | wecom_bot")
    external_id: str
    staff_id: int = Field(foreign_key="staff.id", index=True)
    display_name: str = ""
