"""products: an optional picture shown on customers' ordering pages

Revision ID: pictures_product_picture
Revises: dataio2_qc_batches_product_line
"""
from alembic import op
import sqlalchemy as sa


revision = "pictures_product_picture"
down_revision = "dataio2_qc_batches_product_line"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("product", schema=None) as batch_op:
        batch_op.add_column(sa.Column("picture", sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("product", schema=None) as batch_op:
        batch_op.drop_column("picture")
