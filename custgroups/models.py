"""Tables of WeCom customer groups: the groups synced from WeCom, which customer each serves,
the group-send tasks created for shipping notices with their per-group results, and the temporary
media uploaded for them (valid 3 days, so reused while fresh)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.types import UTCDateTime, utcnow

ROUTES = ("group", "bridge", "manual")  # Customer.notice_route
RESULT_STATES = ("unconfirmed", "sent", "failed")  # GroupSendResult.state
TASK_STATES = ("open", "done")  # GroupSendTask.state: open while some group is not yet confirmed


class CustomerGroup(SQLModel, table=True):
    """An external (customer) group chat owned by one of our people, as WeCom lists it."""

    __tablename__ = "customer_group"
    id: int | None = Field(default=None, primary_key=True)
    chat_id: str = Field(unique=True)
    name: str = ""
    owner_userid: str = Field(default="", index=True, description="WeCom userid of the group owner")
    member_count: int = 0
    follow_status: int = Field(default=0, description="WeCom's status: 0 normal, 1-3 owner left / being inherited")
    gone: bool = Field(default=False, description="no longer listed for its owner at the last sync")
    synced_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class CustomerGroupLink(SQLModel, table=True):
    """A person confirmed that a customer group serves this customer (a customer may have several)."""

    __tablename__ = "customer_group_link"
    __table_args__ = (UniqueConstraint("customer_id", "group_id", name="uq_customer_group_link"),)
    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    group_id: int = Field(foreign_key="customer_group.id", index=True)
    confirmed_by: str = ""
    confirmed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class GroupSendTask(SQLModel, table=True):
    """One `add_msg_template` task (chat_type group); sender = the owner of its groups. A shipping notice
    makes one task per mapped group, so `chat_ids` holds one chat id."""

    __tablename__ = "group_send_task"
    id: int | None = Field(default=None, primary_key=True)
    notification_id: int = Field(index=True, description="the outbox row that creates the task in WeCom")
    order_id: int | None = Field(default=None, foreign_key="order.id", index=True)
    sender: str = Field(description="WeCom userid of the group owner who confirms")
    chat_ids: list = Field(default_factory=list, sa_column=Column(JSON))
    state: str = Field(default="open", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    polled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reminded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    escalated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class GroupSendResult(SQLModel, table=True):
    """What became of one group of a task: unconfirmed, sent, or failed (with WeCom's reason)."""

    __tablename__ = "group_send_result"
    __table_args__ = (UniqueConstraint("task_id", "chat_id", name="uq_group_send_result"),)
    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="group_send_task.id", index=True)
    chat_id: str
    state: str = Field(default="unconfirmed")
    detail: str = ""
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class WeComMedia(SQLModel, table=True):
    """A temporary media upload (media/upload): WeCom keeps it 3 days from `created_at`."""

    __tablename__ = "wecom_media"
    id: int | None = Field(default=None, primary_key=True)
    sha256: str = Field(index=True, description="of the uploaded bytes")
    kind: str = "image"
    media_id: str
    created_at: datetime = Field(sa_type=UTCDateTime, description="WeCom's created_at of the upload")
