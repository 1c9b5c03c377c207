"""Whether a chunk has a vector in the dense index: the rows of a template table (figures the fact
store answers, with no sentence of prose) are searched by words only.

Revision ID: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("chunks", sa.Column("dense", sa.Boolean, nullable=False, server_default=sa.true()))


def downgrade() -> None:
    op.drop_column("chunks", "dense")
