"""planning: production lines (capacity per working day, processes, outsourcing lead time) and
per-line calendar overrides (a line working a Saturday)

Revision ID: planning_production_lines
Revises: shop_ordering_links
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

from core.types import UTCDateTime


revision = "planning_production_lines"
down_revision = "shop_ordering_links"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "production_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("day_hours", sa.Float(), nullable=False),
        sa.Column("processes", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("outsourced", sa.Boolean(), nullable=False),
        sa.Column("lead_days", sa.Integer(), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_production_line_name"), "production_line", ["name"], unique=True)
    op.create_table(
        "line_day_override",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("line", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("is_workday", sa.Boolean(), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("line", "day"),
    )
    op.create_index(op.f("ix_line_day_override_line"), "line_day_override", ["line"], unique=False)
    op.create_index(op.f("ix_line_day_override_day"), "line_day_override", ["day"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_line_day_override_day"), table_name="line_day_override")
    op.drop_index(op.f("ix_line_day_override_line"), table_name="line_day_override")
    op.drop_table("line_day_override")
    op.drop_index(op.f("ix_production_line_name"), table_name="production_line")
    op.drop_table("production_line")
