"""chatphoto: inbound_message.photos — what each picture of a robot message gave (url, sha256, codes or error)

Revision ID: chatphoto_inbound_photos
Revises: planning_production_lines
"""
import sqlalchemy as sa
from alembic import op

revision = "chatphoto_inbound_photos"
down_revision = "planning_production_lines"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inbound_message") as batch:
        batch.add_column(sa.Column("photos", sa.JSON(), server_default="[]", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("inbound_message") as batch:
        batch.drop_column("photos")
