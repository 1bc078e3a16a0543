"""The outbox: one row per message to one recipient on one channel."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from core.types import UTCDateTime, utcnow

# queued -> sending -> sent | retrying -> ... -> failed ; skipped (channel off) ; delayed (quiet hours)
STATUSES = ("queued", "sending", "retrying", "sent", "failed", "skipped", "delayed")


class Notification(SQLModel, table=True):
    """A message written in the same transaction as what caused it, delivered by a job."""

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(index=True, description="reply | next_step | alert | alert_resolved | notice | …")
    channel: str = Field(index=True, description="wecom_app | wecom_robot | bot_response | email | sms | bridge")
    recipient: str = Field(description="WeCom userid, robot key, response_url, email, mobile, chat id")
    recipient_name: str = ""
    subject: str = ""
    body: str = ""
    payload: dict = Field(default_factory=dict, sa_column=Column(JSON))
    order_id: int | None = Field(default=None, foreign_key="order.id", index=True)
    alert_id: int | None = Field(default=None, index=True)
    dedupe_key: str = Field(unique=True, description="the same key is never queued twice")
    status: str = Field(default="queued", index=True)
    attempts: int = 0
    last_error: str = ""
    provider_msgid: str = ""
    not_before: datetime | None = Field(default=None, sa_type=UTCDateTime)
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
