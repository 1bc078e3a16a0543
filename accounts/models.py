"""Web users and API tokens (tokens stored hashed)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from core.types import UTCDateTime, utcnow


class User(SQLModel, table=True):
    """A login of the web admin; linked to a Staff member for roles and names."""

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(unique=True, index=True)
    password_hash: str
    role: str = Field(description="role code, e.g. sales or admin")
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    active: bool = True
    # Bumped on logout and password change: a session cookie of an older version is refused.
    session_version: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ApiToken(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str
    token_hash: str = Field(unique=True, index=True)
    role: str
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
