"""dataio2: QC defect categories (editable list), an inspection's defect category, products' product line

Revision ID: dataio2_qc_batches_product_line
Revises: chatphoto_inbound_photos
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = "dataio2_qc_batches_product_line"
down_revision = "chatphoto_inbound_photos"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "defect_category",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("words", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    with op.batch_alter_table("qcinspection", schema=None) as batch_op:
        batch_op.add_column(sa.Column("defect_category", sqlmodel.sql.sqltypes.AutoString(), server_default="",
                                      nullable=False))
    with op.batch_alter_table("product", schema=None) as batch_op:
        batch_op.add_column(sa.Column("product_line", sqlmodel.sql.sqltypes.AutoString(), server_default="",
                                      nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("product", schema=None) as batch_op:
        batch_op.drop_column("product_line")
    with op.batch_alter_table("qcinspection", schema=None) as batch_op:
        batch_op.drop_column("defect_category")
    op.drop_table("defect_category")
