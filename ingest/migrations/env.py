"""Alembic environment shared by every store: migrations run on the connection the store hands over
(ingest.engines.Migrations), recorded in that store's own version table."""
from alembic import context

config = context.config
connection = config.attributes["connection"]
context.configure(connection=connection, target_metadata=None,
                  version_table=config.attributes.get("version_table", "alembic_version"),
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
