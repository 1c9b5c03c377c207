"""Indexes the answering side reads through: a report's facts (it loads one report's figures at a
time rather than every figure at start-up) and a cell across reports (comparisons, rankings).

Revision ID: 0005
"""
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("facts_report", "facts", ["report_id", "table_key"])
    op.create_index("facts_cell", "facts", ["table_key", "row_key", "column_key"])


def downgrade() -> None:
    op.drop_index("facts_cell", "facts")
    op.drop_index("facts_report", "facts")
