"""insight3: first QC inspection per order and status records per day and source (summaries)

Two more summaries refreshed by insight's every-minute job (insight/summaries.py), so the dashboard's
first-pass yield and source shares read a few indexed rows instead of the whole inspection and status
history. Built by the first refresh after this migration (a read finding one never built builds it).

Revision ID: insight3_qc_and_source_summaries
Revises: pictures_product_picture
"""
from alembic import op
import sqlalchemy as sa
import core.types


revision = "insight3_qc_and_source_summaries"
down_revision = "pictures_product_picture"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "insight_first_qc",
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("first_at", core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("first_pass", sa.Integer(), nullable=False),
        sa.Column("reworked", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("order_id"),
    )
    with op.batch_alter_table("insight_first_qc", schema=None) as batch_op:
        batch_op.create_index("ix_insight_first_qc_first_at", ["first_at"], unique=False,
                              postgresql_include=["first_pass", "reworked", "order_id"])
    op.create_table(
        "insight_source_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "source"),
    )


def downgrade() -> None:
    op.drop_table("insight_source_day")
    with op.batch_alter_table("insight_first_qc", schema=None) as batch_op:
        batch_op.drop_index("ix_insight_first_qc_first_at")
    op.drop_table("insight_first_qc")
