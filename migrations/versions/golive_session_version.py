"""golive: a per-user session version (logout and password change end every session)

Revision ID: golive_session_version
Revises: importx_status_mapping
"""
from alembic import op
import sqlalchemy as sa


revision = "golive_session_version"
down_revision = "importx_status_mapping"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_version", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("session_version")
