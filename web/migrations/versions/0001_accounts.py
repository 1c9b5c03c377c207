"""Staff accounts and failed sign-ins.

Files written before Alembic already hold these tables (created by the app on open); they are
kept as they are, gaining only the session version they may lack.

Revision ID: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    have = sa.inspect(op.get_bind())
    if not have.has_table("users"):
        op.create_table(
            "users",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("name", sa.Text, nullable=False, unique=True),
            sa.Column("password_hash", sa.Text, nullable=False),
            sa.Column("created_at", sa.Text, nullable=False),
            sa.Column("session_version", sa.Integer, nullable=False, server_default="0"),
        )
    elif "session_version" not in {c["name"] for c in have.get_columns("users")}:
        op.add_column("users", sa.Column("session_version", sa.Integer, nullable=False, server_default="0"))
    if not have.has_table("login_failures"):
        op.create_table("login_failures", sa.Column("key", sa.Text, nullable=False),
                        sa.Column("at", sa.Float, nullable=False))
        op.create_index("login_failures_key", "login_failures", ["key", "at"])


def downgrade() -> None:
    op.drop_table("login_failures")
    op.drop_table("users")
