"""custgroups: WeCom customer groups, their mapping to customers, group-send tasks and results,
temporary media; the customer's notice route (existing customers keep the salesperson's forward)

Revision ID: custgroups_customer_groups
Revises: golive_session_version
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import core.types


revision = 'custgroups_customer_groups'
down_revision = 'golive_session_version'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('customer_group',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('chat_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('owner_userid', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('member_count', sa.Integer(), nullable=False),
    sa.Column('follow_status', sa.Integer(), nullable=False),
    sa.Column('gone', sa.Boolean(), nullable=False),
    sa.Column('synced_at', core.types.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('chat_id')
    )
    with op.batch_alter_table('customer_group', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_customer_group_owner_userid'), ['owner_userid'], unique=False)

    op.create_table('wecom_media',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('media_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', core.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('wecom_media', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wecom_media_sha256'), ['sha256'], unique=False)

    op.create_table('customer_group_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('confirmed_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('confirmed_at', core.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], ),
    sa.ForeignKeyConstraint(['group_id'], ['customer_group.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('customer_id', 'group_id', name='uq_customer_group_link')
    )
    with op.batch_alter_table('customer_group_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_customer_group_link_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_customer_group_link_group_id'), ['group_id'], unique=False)

    op.create_table('group_send_task',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notification_id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('sender', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('chat_ids', sa.JSON(), nullable=True),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('polled_at', core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reminded_at', core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('escalated_at', core.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['order_id'], ['order.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('group_send_task', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_group_send_task_notification_id'), ['notification_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_group_send_task_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_group_send_task_state'), ['state'], unique=False)

    op.create_table('group_send_result',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('chat_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('detail', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('sent_at', core.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['task_id'], ['group_send_task.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('task_id', 'chat_id', name='uq_group_send_result')
    )
    with op.batch_alter_table('group_send_result', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_group_send_result_task_id'), ['task_id'], unique=False)

    with op.batch_alter_table('customer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notice_route', sqlmodel.sql.sqltypes.AutoString(), server_default='manual',
                                      nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('customer', schema=None) as batch_op:
        batch_op.drop_column('notice_route')

    with op.batch_alter_table('group_send_result', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_group_send_result_task_id'))

    op.drop_table('group_send_result')
    with op.batch_alter_table('group_send_task', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_group_send_task_state'))
        batch_op.drop_index(batch_op.f('ix_group_send_task_order_id'))
        batch_op.drop_index(batch_op.f('ix_group_send_task_notification_id'))

    op.drop_table('group_send_task')
    with op.batch_alter_table('customer_group_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_customer_group_link_group_id'))
        batch_op.drop_index(batch_op.f('ix_customer_group_link_customer_id'))

    op.drop_table('customer_group_link')
    with op.batch_alter_table('wecom_media', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wecom_media_sha256'))

    op.drop_table('wecom_media')
    with op.batch_alter_table('customer_group', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_customer_group_owner_userid'))

    op.drop_table('customer_group')
