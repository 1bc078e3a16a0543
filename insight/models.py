"""Insight's own tables — the summaries (status stays, first QC inspection per order, status records per
day and source) and their refresh watermarks, the monthly accuracy audits — and the indexes its
period queries need on other features' tables (declared here, beside the queries that use them, so
the owners' models stay untouched; bench/analytics_bench.py shows what each one buys)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from alerts.models import Alert
from bot.models import InboundMessage
from core.types import UTCDateTime, utcnow
from notify.models import Notification
from orders.models import Order, QcInspection, StatusEvent


class InsightStay(SQLModel, table=True):
    """One stay of an order in a status: opened by a status change, closed by the next one (open: no left_at)."""

    __tablename__ = "insight_stay"
    # per status, stays ended in a range, with their length read from the index alone (PostgreSQL)
    __table_args__ = (Index("ix_insight_stay_status_left_at", "status", "left_at", postgresql_include=["seconds"]),)

    event_id: int = Field(primary_key=True, description="the StatusEvent that opened the stay")
    order_id: int = Field(index=True)
    status: str
    entered_at: datetime = Field(sa_type=UTCDateTime)
    left_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    seconds: float | None = None


class InsightFirstQc(SQLModel, table=True):
    """One order's first QC inspection (by time, then id) and whether any of its inspections failed."""

    __tablename__ = "insight_first_qc"
    # orders first inspected in a range, with both flags read from the index alone (PostgreSQL)
    __table_args__ = (Index("ix_insight_first_qc_first_at", "first_at",
                            postgresql_include=["first_pass", "reworked", "order_id"]),)

    order_id: int = Field(primary_key=True)
    first_at: datetime = Field(sa_type=UTCDateTime)
    first_pass: int = Field(description="1: the first inspection passed")
    reworked: int = Field(description="1: some inspection of the order failed")


class InsightSourceDay(SQLModel, table=True):
    """Status records of one UTC day by source (the period's whole days are summed from here)."""

    __tablename__ = "insight_source_day"

    day: date = Field(primary_key=True)
    source: str = Field(primary_key=True)
    records: int


class InsightRefresh(SQLModel, table=True):
    """How far a summary has read its source: the last id of its source table it has seen."""

    __tablename__ = "insight_refresh"

    name: str = Field(primary_key=True)
    watermark: int = 0
    refreshed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    full_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AccuracyAudit(SQLModel, table=True):
    """One month's accuracy audit: a uniform random sample of the orders delivered that month (at most
    `SAMPLE_SIZE`), drawn reproducibly from `seed` over the month's delivered orders sorted by id."""

    __tablename__ = "accuracy_audit"

    id: int | None = Field(default=None, primary_key=True)
    month: str = Field(unique=True, description="YYYY-MM in the business time zone; one audit per month")
    seed: int = Field(description="seed of random.Random that drew the sample")
    delivered: int = Field(description="orders delivered in the month when the sample was drawn")
    sample_size: int
    drawn_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    drawn_by: str = ""


class AccuracyAuditItem(SQLModel, table=True):
    """One sampled order and a person's verdict on its status history (correct, wrong or unchecked)."""

    __tablename__ = "accuracy_audit_item"
    __table_args__ = (UniqueConstraint("audit_id", "order_id"),)

    id: int | None = Field(default=None, primary_key=True)
    audit_id: int = Field(foreign_key="accuracy_audit.id", index=True)
    order_id: int = Field(foreign_key="order.id")
    position: int = Field(description="1-based place in the drawn sample")
    verdict: str = Field(default="unchecked", description="correct | wrong | unchecked")
    note: str = ""
    checked_by: str = Field(default="", description="who last changed the verdict")
    checked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class AccuracyAuditChange(SQLModel, table=True):
    """Every change of a verdict, kept: who set which verdict and note, and when."""

    __tablename__ = "accuracy_audit_change"

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="accuracy_audit_item.id", index=True)
    verdict: str
    note: str = ""
    changed_by: str
    changed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# Period filters of the dashboard, the lists and the supplier report (time ranges on big tables).
READ_INDEXES = [
    Index("ix_statusevent_at_source", StatusEvent.__table__.c.at, StatusEvent.__table__.c.source),
    Index("ix_order_delivered_at", Order.__table__.c.delivered_at),
    Index("ix_qcinspection_at", QcInspection.__table__.c.at),
    Index("ix_alert_raised_at", Alert.__table__.c.raised_at),
    Index("ix_notification_created_at", Notification.__table__.c.created_at),
    Index("ix_inbound_message_received_at", InboundMessage.__table__.c.received_at),
]
