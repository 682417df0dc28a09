"""Alembic environment: migrations run on the connection aggregator.store.migrate hands over."""

from __future__ import annotations

from alembic import context

from aggregator.store.models import Base
from aggregator.store.rawsql import include_object

connection = context.config.attributes["connection"]
sqlite = connection.dialect.name == "sqlite"
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=sqlite,  # SQLite alters tables by copying them
    compare_type=True,
    include_object=include_object,  # views and the FTS index live only in migrations
)
if sqlite:
    # A batch copy renames "_alembic_tmp_x" to "x"; SQLite >= 3.26 then re-checks every
    # view and refuses while a view names the table being rebuilt. The legacy rename
    # leaves views alone: they name the table, which exists again after the rename.
    connection.exec_driver_sql("PRAGMA legacy_alter_table = ON")
try:
    with context.begin_transaction():
        context.run_migrations()
finally:
    if sqlite:
        connection.exec_driver_sql("PRAGMA legacy_alter_table = OFF")
