"""Tables of the working-time calendar: date overrides and shift hours."""

from __future__ import annotations

from datetime import date, datetime

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
