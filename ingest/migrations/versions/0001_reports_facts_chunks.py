"""Reports, their facts and their chunks.

Revision ID: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _report_ref():
    return sa.Column("report_id", sa.Integer, sa.ForeignKey("reports.id", ondelete="CASCADE"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "reports",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("file_name", sa.Text, nullable=False, unique=True),
        sa.Column("source_path", sa.Text),
        sa.Column("sha256", sa.Text, nullable=False),
        sa.Column("agency", sa.Text, nullable=False),
        sa.Column("year", sa.Integer),
        sa.Column("title", sa.Text),
        sa.Column("format", sa.Text),
        sa.Column("media", sa.Text),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("warnings", sa.Text, nullable=False, server_default="[]"),
        sa.Column("n_facts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("n_chunks", sa.Integer, nullable=False, server_default="0"),
        sa.Column("cells_expected", sa.Integer, nullable=False, server_default="0"),
        sa.Column("ingested_at", sa.Text, nullable=False),
    )
    op.create_table(
        "facts",
        sa.Column("id", sa.Integer, primary_key=True),
        _report_ref(),
        sa.Column("agency", sa.Text, nullable=False), sa.Column("year", sa.Integer),
        sa.Column("table_key", sa.Text, nullable=False), sa.Column("table_label", sa.Text, nullable=False),
        sa.Column("row_key", sa.Text, nullable=False), sa.Column("row_group", sa.Text, nullable=False),
        sa.Column("row_label", sa.Text, nullable=False),
        sa.Column("column_key", sa.Text, nullable=False), sa.Column("column_label", sa.Text, nullable=False),
        sa.Column("value", sa.Float, nullable=False), sa.Column("unit", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("source_text", sa.Text, nullable=False), sa.Column("source_line", sa.Integer),
        sa.Column("source_page", sa.Integer), sa.Column("char_start", sa.Integer), sa.Column("char_end", sa.Integer),
    )
    op.create_index("facts_lookup", "facts", ["agency", "year", "table_key", "row_key", "column_key"])
    op.create_table(
        "chunks",
        sa.Column("id", sa.Integer, primary_key=True),
        _report_ref(),
        sa.Column("chunk_id", sa.Text, nullable=False, unique=True),
        sa.Column("agency", sa.Text, nullable=False), sa.Column("year", sa.Integer),
        sa.Column("section", sa.Text, nullable=False), sa.Column("text", sa.Text, nullable=False),
        sa.Column("char_start", sa.Integer, nullable=False), sa.Column("char_end", sa.Integer, nullable=False),
        sa.Column("line_start", sa.Integer), sa.Column("line_end", sa.Integer), sa.Column("page", sa.Integer),
    )
    op.create_index("chunks_report", "chunks", ["report_id"])


def downgrade() -> None:
    for table in ("chunks", "facts", "reports"):
        op.drop_table(table)
