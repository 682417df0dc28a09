"""Alembic environment: migrations run on the connection aggregator.store.migrate hands over."""

from __future__ import annotations

from alembic import context

from aggregator.store.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
