"""How sure the detector was of agency and year, what it weighed, and staff corrections.

Revision ID: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("reports", sa.Column("agency_confidence", sa.Text, nullable=False, server_default="unknown"))
    op.add_column("reports", sa.Column("year_confidence", sa.Text, nullable=False, server_default="unknown"))
    op.add_column("reports", sa.Column("metadata_candidates", sa.Text, nullable=False, server_default="[]"))
    op.create_table(
        "metadata_corrections",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("report_id", sa.Integer),
        sa.Column("file_name", sa.Text, nullable=False),
        sa.Column("old_agency", sa.Text), sa.Column("old_year", sa.Integer),
        sa.Column("new_agency", sa.Text, nullable=False), sa.Column("new_year", sa.Integer),
        sa.Column("by_user", sa.Text, nullable=False),
        sa.Column("at", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("metadata_corrections")
    for column in ("metadata_candidates", "year_confidence", "agency_confidence"):
        op.drop_column("reports", column)
