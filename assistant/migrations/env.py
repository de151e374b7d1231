"""Alembic's environment: migrations run on the connection `assistant.database.migrate` hands over (inside its
transaction and lock), never from an alembic.ini. Offline (SQL script) mode is not supported."""

from alembic import context

from assistant.database import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
