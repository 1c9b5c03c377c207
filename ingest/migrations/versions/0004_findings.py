"""Findings for reviewers (ingest.audit): one report's own at ingest, cross-year ones whenever a
neighbouring year of the same agency arrives or leaves.

Revision ID: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "findings",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("report_id", sa.Integer, sa.ForeignKey("reports.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.Text, nullable=False), sa.Column("severity", sa.Text, nullable=False),
        sa.Column("check_id", sa.Text, nullable=False), sa.Column("message", sa.Text, nullable=False),
        sa.Column("cells", sa.Text, nullable=False, server_default="[]"),
        sa.Column("sentences", sa.Text, nullable=False, server_default="[]"),
        sa.Column("other_report", sa.Text),
    )
    op.create_index("findings_report", "findings", ["report_id"])


def downgrade() -> None:
    op.drop_table("findings")
