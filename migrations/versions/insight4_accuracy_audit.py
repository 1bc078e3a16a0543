"""insight4: monthly accuracy audits (a sample of delivered orders, a verdict per order, every change kept)

The original brief's check of the status history: each month a uniform random sample of up to 100
orders delivered that month, drawn reproducibly from a stored seed (insight/audit.py); a person marks
each order's status history correct or wrong; every change of a verdict is kept with who and when.

Revision ID: insight4_accuracy_audit
Revises: insight3_qc_and_source_summaries
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import core.types


revision = "insight4_accuracy_audit"
down_revision = "insight3_qc_and_source_summaries"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accuracy_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("delivered", sa.Integer(), nullable=False),
        sa.Column("sample_size", sa.Integer(), nullable=False),
        sa.Column("drawn_at", core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("drawn_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("month"),
    )
    op.create_table(
        "accuracy_audit_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("audit_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("verdict", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("checked_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("checked_at", core.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["audit_id"], ["accuracy_audit.id"]),
        sa.ForeignKeyConstraint(["order_id"], ["order.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("audit_id", "order_id"),
    )
    with op.batch_alter_table("accuracy_audit_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_accuracy_audit_item_audit_id"), ["audit_id"], unique=False)
    op.create_table(
        "accuracy_audit_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("verdict", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("changed_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("changed_at", core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["accuracy_audit_item.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("accuracy_audit_change", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_accuracy_audit_change_item_id"), ["item_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("accuracy_audit_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_accuracy_audit_change_item_id"))
    op.drop_table("accuracy_audit_change")
    with op.batch_alter_table("accuracy_audit_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_accuracy_audit_item_audit_id"))
    op.drop_table("accuracy_audit_item")
    op.drop_table("accuracy_audit")
