"""Tables of alerting: rules (data the admin edits) and the alerts they raise."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from core.types import UTCDateTime, utcnow

LEVELS = ("yellow", "orange", "red")
LEVEL_RANK = {level: i for i, level in enumerate(LEVELS)}
ALERT_STATUSES = ("open", "acked", "resolved")


class AlertRule(SQLModel, table=True):
    """One editable rule: a condition kind with its threshold, who is told, how, and how often."""

    __tablename__ = "alert_rule"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, description="stable name, e.g. promise_unscheduled")
    name: str = Field(default="", description="Chinese name shown in messages and the admin")
    kind: str = Field(description="condition kind, see alerts.conditions.KINDS")
    family: str = Field(default="", description="rules of one family inhibit lower levels per order")
    threshold: float = 0
    unit: str = Field(default="hours", description="hours | working_hours | days | working_days")
    statuses: list = Field(default_factory=list, sa_column=Column(JSON),
                           description="order statuses the condition looks at; empty = the kind's default")
    level: str = Field(default="yellow", description="yellow | orange | red")
    recipients: list = Field(default_factory=list, sa_column=Column(JSON),
                             description="'owner', 'role:<code>', 'staff:<id>'")
    channels: list = Field(default_factory=list, sa_column=Column(JSON), description="wecom_app | sms | email")
    cc_manager: bool = Field(default=True, description="email the responsible person's manager")
    repeat_minutes: int = Field(default=0, description="re-send while unacknowledged; 0 = never")
    ack_window_minutes: int = Field(default=120, description="escalate one step when not acked in this time")
    bypass_quiet: bool = Field(default=False, description="send at night and on holidays too")
    enabled: bool = True
    last_run_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str = Field(default="", description="why the last sweep could not fully evaluate it")
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Alert(SQLModel, table=True):
    """One alert of one rule on one order; `open_key` is unique while open and NULL once resolved."""

    id: int | None = Field(default=None, primary_key=True)
    rule_id: int = Field(foreign_key="alert_rule.id", index=True)
    rule_code: str = ""
    order_id: int = Field(foreign_key="order.id", index=True)
    order_no: str = Field(index=True)
    level: str
    family: str = ""
    status: str = Field(default="open", index=True, description="open | acked | resolved")
    open_key: str | None = Field(default=None, unique=True, description="'<order_id>:<rule_id>' while not resolved")
    detail: str = ""
    inhibited: bool = Field(default=False, description="muted by a higher-level alert of the same family")
    raised_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    acked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    acked_by: str | None = None
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    escalation_level: int = Field(default=0, description="0 = responsible person; n = n steps up the ladder")
    repeat_count: int = 0
    last_notified_at: datetime | None = Field(default=None, sa_type=UTCDateTime,
                                              description="when the last step's messages are due to arrive")
    next_action_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True,
                                            description="when the sweep should escalate or repeat next")
    notified: list = Field(default_factory=list, sa_column=Column(JSON),
                           description="[{staff_id, name, channel, recipient, step}] of every message queued")


def open_key(order_id: int, rule_id: int) -> str:
    """The unique key of the one open alert per (order, rule)."""
    return f"{order_id}:{rule_id}"
