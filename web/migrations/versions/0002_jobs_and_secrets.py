"""Console write jobs and the app's secret key, shared by every worker process.

A job is run by the worker that accepted it and read by any; ``owner`` and ``heartbeat`` tell
the others whether that worker is still alive, so a job left by a restart ends as failed.

Revision ID: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("user_name", sa.Text, nullable=False, server_default=""),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("total", sa.Integer, nullable=False, server_default="0"),
        sa.Column("done", sa.Integer, nullable=False, server_default="0"),
        sa.Column("current", sa.Text, nullable=False, server_default=""),
        sa.Column("results", sa.Text, nullable=False, server_default="[]"),
        sa.Column("error", sa.Text),
        sa.Column("created", sa.Float, nullable=False),
        sa.Column("finished", sa.Float),
        sa.Column("owner", sa.Text, nullable=False, server_default=""),
        sa.Column("heartbeat", sa.Float, nullable=False, server_default="0"),
    )
    op.create_index("jobs_created", "jobs", ["created"])
    op.create_table("app_secrets", sa.Column("name", sa.Text, primary_key=True),
                    sa.Column("value", sa.Text, nullable=False))


def downgrade() -> None:
    op.drop_table("app_secrets")
    op.drop_table("jobs")
