"""An index on the reports' agency: each write recomputes one agency's cross-year findings, which
read that agency's reports, not every report in the store.

Revision ID: 0008
"""
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("reports_agency", "reports", ["agency", "year"])


def downgrade() -> None:
    op.drop_index("reports_agency", "reports")
