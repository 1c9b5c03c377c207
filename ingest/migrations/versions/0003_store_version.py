"""A counter every write bumps in its own transaction, so running apps (other processes, other
workers) notice a change by reading one row instead of re-reading the store.

Revision ID: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "store_version",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("changed_at", sa.Text),
        sa.CheckConstraint("id = 1", name="store_version_one_row"),
    )
    op.bulk_insert(table, [{"id": 1, "version": 0, "changed_at": None}])


def downgrade() -> None:
    op.drop_table("store_version")
