"""suppliers: the supplier table of the master data (admin page, API, CSV/xlsx import), filled with the
supplier names materials and purchase lines already use

Revision ID: suppliers_master_data
Revises: insight4_accuracy_audit
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = "suppliers_master_data"
down_revision = "insight4_accuracy_audit"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "supplier",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("contact_name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("contact_phone", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("address", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.execute(
        "INSERT INTO supplier (name, contact_name, contact_phone, email, address, note, active) "
        "SELECT DISTINCT name, '', '', '', '', '', TRUE FROM ("
        " SELECT TRIM(supplier) AS name FROM material UNION SELECT TRIM(supplier) FROM purchaseline"
        ") AS used WHERE name <> ''"
    )


def downgrade() -> None:
    op.drop_table("supplier")
