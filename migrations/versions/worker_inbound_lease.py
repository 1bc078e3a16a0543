"""inbound_message.lease_until: a claimed message whose lease ran out is retried by the catch-up

Revision ID: worker_inbound_lease
Revises: 23751814fd79
"""
import sqlalchemy as sa
from alembic import op

import core.types

revision = "worker_inbound_lease"
down_revision = "23751814fd79"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inbound_message") as batch:
        batch.add_column(sa.Column("lease_until", core.types.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("inbound_message") as batch:
        batch.drop_column("lease_until")
