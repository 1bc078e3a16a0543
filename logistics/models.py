"""Tables of logistics: customer tracking tokens, carrier trace lines, waybill state, ETA days."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from core.types import UTCDateTime, utcnow


class TrackingToken(SQLModel, table=True):
    """A customer's link to one order's tracking page; only the sha256 of the token is kept."""

    __tablename__ = "tracking_token"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="order.id", index=True)
    token_hash: str = Field(unique=True, description="sha256 hex of the token in the link")
    shipment_ref: str = Field(default="", index=True, description="which shipment (status event) issued it")
    notice_path: str = Field(default="", description="absolute path of the notice PNG carrying this token")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    view_count: int = 0
    first_viewed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    first_viewed_status: str = Field(default="", description="order status at the first view")
    last_viewed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class TraceLine(SQLModel, table=True):
    """One line of a carrier's trace (from Kuaidi100 or typed in by staff)."""

    __tablename__ = "trace_line"
    __table_args__ = (UniqueConstraint("order_id", "line_key"),)

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="order.id", index=True)
    line_key: str = Field(description="sha1 of tracking number, time and text: the same line is stored once")
    at: datetime = Field(sa_type=UTCDateTime, index=True)
    context: str
    area: str = ""
    status: str = Field(default="", description="carrier's status word, e.g. 在途, 揽收, 签收")
    source: str = Field(default="kuaidi100", description="kuaidi100 | manual")
    created_by: str = ""
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Waybill(SQLModel, table=True):
    """What the carrier last said about an order's waybill (Kuaidi100 monitor state)."""

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="order.id", unique=True)
    tracking_no: str = Field(index=True)
    carrier_code: str = Field(default="", description="Kuaidi100 company code; corrected by comNew")
    state: str = Field(default="", description="Kuaidi100 lastResult.state")
    monitor_status: str = Field(default="", description="polling | shutdown | abort | updateall")
    monitor_message: str = ""
    current_area: str = ""
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CarrierEta(SQLModel, table=True):
    """Typical transit days of a carrier to a region; '*' matches any carrier or region."""

    __tablename__ = "carrier_eta"
    __table_args__ = (UniqueConstraint("carrier", "region"),)

    id: int | None = Field(default=None, primary_key=True)
    carrier: str = Field(description="short name as in orders: 顺丰, 京东 … or *")
    region: str = Field(description="customer region (province), or *")
    days: int


class BridgeNotice(SQLModel, table=True):
    """A notice waiting for a personal-WeChat bridge to fetch it (GET /bridge/outbox)."""

    __tablename__ = "bridge_notice"

    id: int | None = Field(default=None, primary_key=True)
    chat_id: str = Field(index=True)
    order_id: int | None = Field(default=None, foreign_key="order.id", index=True)
    kind: str = "notice"
    text: str = ""
    image_path: str = ""
    dedupe_key: str = Field(unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    fetched_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    acked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
