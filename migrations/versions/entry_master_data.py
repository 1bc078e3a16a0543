"""entry: product spec, BOM scrap allowance, purchase order number

Revision ID: entry_master_data
Revises: a1d0187053b4
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = "entry_master_data"
down_revision = "a1d0187053b4"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("product", schema=None) as batch_op:
        batch_op.add_column(sa.Column("spec", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=""))
    with op.batch_alter_table("bomline", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scrap_pct", sa.Float(), nullable=False, server_default="0"))
    with op.batch_alter_table("purchaseline", schema=None) as batch_op:
        batch_op.add_column(sa.Column("po_no", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=""))
        batch_op.create_index(batch_op.f("ix_purchaseline_po_no"), ["po_no"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("purchaseline", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_purchaseline_po_no"))
        batch_op.drop_column("po_no")
    with op.batch_alter_table("bomline", schema=None) as batch_op:
        batch_op.drop_column("scrap_pct")
    with op.batch_alter_table("product", schema=None) as batch_op:
        batch_op.drop_column("spec")
