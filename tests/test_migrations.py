"""Schema migrations: the models and the migrations agree, and old stores upgrade in place."""

from __future__ import annotations

import sqlite3

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from aggregator.errors import StoreError
from aggregator.store import Base, Store
from aggregator.store.migrate import head_revision


def test_migrations_build_exactly_the_models(db_url: str) -> None:
    store = Store(db_url)
    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_a_store_from_before_migrations_is_adopted(db_url: str) -> None:
    """Stores written by the first release have its schema but no alembic_version row."""
    store = Store(db_url)
    path = db_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection:
        connection.execute("drop table alembic_version")
    Store(db_url).close()
    with sqlite3.connect(path) as connection:
        assert connection.execute("select version_num from alembic_version").fetchone() == (
            head_revision(),
        )
    store.close()


def test_a_store_from_a_newer_version_is_refused(db_url: str) -> None:
    Store(db_url).close()
    with sqlite3.connect(db_url.removeprefix("sqlite:///")) as connection:
        connection.execute("update alembic_version set version_num = '9999'")
    with pytest.raises(StoreError, match="written by a newer version of aggregator"):
        Store(db_url)
