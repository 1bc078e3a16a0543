"""Tables of the working-time calendar: date overrides, shift hours, and each line's capacity and days."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from core.types import UTCDateTime, utcnow


class HolidayOverride(SQLModel, table=True):
    """One date whose working status is set by hand or by an imported State Council notice."""

    __tablename__ = "holiday_override"

    id: int | None = Field(default=None, primary_key=True)
    day: date = Field(unique=True, index=True)
    is_workday: bool
    note: str = ""
    source: str = Field(default="manual", description="manual | notice (a whole year's official notice)")
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class WorkSettings(SQLModel, table=True):
    """Shift hours of the factory (one row; absent means the defaults)."""

    __tablename__ = "work_settings"

    id: int | None = Field(default=None, primary_key=True)
    shift_start: str = Field(default="08:00", description="HH:MM in OPS_TIMEZONE")
    shift_end: str = Field(default="17:30", description="HH:MM in OPS_TIMEZONE")
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ProductionLine(SQLModel, table=True):
    """One production line (or the outsourcing 'line'): its capacity and the processes it can do."""

    __tablename__ = "production_line"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, index=True, description="as chat and routes name it, e.g. 1号线 or 委外")
    day_hours: float = Field(default=24.0, description="standard hours the line can do per working day")
    processes: str = Field(default="", description="processes it can do, separated by 、 or commas; "
                                                   "empty: those the product routes assign to it")
    outsourced: bool = Field(default=False, description="work sent out: no capacity, a lead time instead")
    lead_days: int = Field(default=3, description="outsourced: working days from hand-over to return")
    note: str = ""
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class LineDayOverride(SQLModel, table=True):
    """One date on which one line works (or rests) unlike the factory calendar, e.g. a Saturday shift."""

    __tablename__ = "line_day_override"
    __table_args__ = (UniqueConstraint("line", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    line: str = Field(index=True)
    day: date = Field(index=True)
    is_workday: bool
    note: str = ""
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
