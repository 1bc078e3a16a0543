"""importx: ERP status-mapping table, indexes on order.erp_no and order.tracking_no

Revision ID: importx_status_mapping
Revises: entry_master_data
Create Date: 2026-11-26 15:30:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import core.types


revision = 'importx_status_mapping'
down_revision = 'entry_master_data'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('status_mapping',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('erp_word', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('updated_at', core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('erp_word')
    )
    with op.batch_alter_table('order', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_erp_no'), ['erp_no'], unique=False)
        batch_op.create_index(batch_op.f('ix_order_tracking_no'), ['tracking_no'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('order', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_tracking_no'))
        batch_op.drop_index(batch_op.f('ix_order_erp_no'))
    op.drop_table('status_mapping')
