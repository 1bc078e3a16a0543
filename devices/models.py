"""Tables of the device feature: registry, badges, readings, scans and dead letters."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from core.types import UTCDateTime, utcnow

KINDS = ("scanner", "sensor")


class Device(SQLModel, table=True):
    """A scanner or sensor that talks MQTT; `device_id` is the last level of its topics."""

    id: int | None = Field(default=None, primary_key=True)
    device_id: str = Field(unique=True, index=True, description="e.g. wh-scan-01")
    name: str = ""
    kind: str = Field(default="scanner", description="scanner | sensor")
    zone: str = Field(default="", index=True, description="scanners take climate from sensors of their zone")
    location: str = ""
    owner_staff_id: int | None = Field(default=None, foreign_key="staff.id",
                                       description="told when the device goes offline")
    last_seen_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    online: bool = False
    offline_since: datetime | None = Field(default=None, sa_type=UTCDateTime,
                                           description="set once per offline episode; None while alive")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class DeviceOperator(SQLModel, table=True):
    """A badge code printed on a work card, for scanners that do not know WeCom userids."""

    __tablename__ = "device_operator"

    id: int | None = Field(default=None, primary_key=True)
    badge: str = Field(unique=True, index=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    note: str = ""


class SensorReading(SQLModel, table=True):
    """One temperature/humidity reading; `ts` is when it was measured (never after receipt)."""

    __tablename__ = "sensor_reading"
    __table_args__ = (Index("ix_sensor_reading_zone_ts", "zone", "ts"),)

    id: int | None = Field(default=None, primary_key=True)
    device_id: str = Field(index=True)
    zone: str = ""
    temperature: float
    humidity: float
    ts: datetime = Field(sa_type=UTCDateTime)
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ScanEvent(SQLModel, table=True):
    """One scan as delivered; unique on `event_id` so a QoS-1 redelivery applies once."""

    __tablename__ = "scan_event"

    id: int | None = Field(default=None, primary_key=True)
    event_id: str = Field(unique=True, description="the device's id of the scan")
    device_id: str = Field(index=True)
    order_no: str = Field(default="", index=True)
    action: str = ""
    operator: str = ""
    outcome: str = Field(default="applied", description="applied | rejected")
    reason: str = ""
    scanned_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class DeadLetter(SQLModel, table=True):
    """A device message that could not be applied, with the reason in Chinese."""

    __tablename__ = "dead_letter"

    id: int | None = Field(default=None, primary_key=True)
    topic: str = Field(index=True)
    device_id: str | None = Field(default=None, index=True)
    payload: str = Field(default="", sa_column=Column(Text, nullable=False))
    reason: str
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
