"""Next-step rules, stored as data so the factory can edit who hears what."""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class NextStepRule(SQLModel, table=True):
    """When `event` happens to an order, tell `recipients` through `channel`."""

    __tablename__ = "next_step_rule"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, description="template key, e.g. submitted, qc_failed")
    event: str = Field(index=True, description="domain event class name, e.g. OrderScheduled")
    recipients: str = Field(description="comma list: owner, role:<role>, head:<role>, line_lead")
    channel: str = "wecom_app"
    condition: str = Field(default="", description="'' (always) or at_risk (promised date in danger)")
    enabled: bool = True
    description: str = ""
