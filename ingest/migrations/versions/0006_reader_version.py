"""Which version of the readers and parsers read each report: a report read by older code is read
again by the next ingest even when its file is unchanged.

Revision ID: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("reports", sa.Column("reader_version", sa.Text, nullable=False, server_default=""))


def downgrade() -> None:
    op.drop_column("reports", "reader_version")
