"""Schema migrations (Alembic): a store made by an older version upgrades in place.

``ensure_schema`` runs when a store is opened: an empty database gets the whole
schema, an older one is upgraded (with a log line), and one written by a newer
version of aggregator is refused rather than damaged.
"""

from __future__ import annotations

import logging
import tempfile
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect

from aggregator.errors import StoreError

logger = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).with_name("migrations")
# Stores written before migrations existed have the first schema and no version row.
FIRST_REVISION = "0001"


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    if MIGRATIONS.is_dir():
        config.set_main_option("script_location", str(MIGRATIONS))
    else:  # imported from a zipped egg (Scrapyd): Alembic reads scripts from a directory
        unpacked = tempfile.TemporaryDirectory(prefix="aggregator-migrations-")
        _copy_tree(resources.files("aggregator.store").joinpath("migrations"), Path(unpacked.name))
        config.attributes["unpacked"] = unpacked  # removed with the config
        config.set_main_option("script_location", unpacked.name)
    config.attributes["connection"] = connection
    return config


def _copy_tree(source: Traversable, target: Path) -> None:
    for entry in source.iterdir():
        if entry.is_dir():
            (target / entry.name).mkdir()
            _copy_tree(entry, target / entry.name)
        elif entry.name.endswith((".py", ".mako")):
            (target / entry.name).write_bytes(entry.read_bytes())


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the package ships its migrations"
    return head


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def store_revision(connection: Connection) -> str | None:
    """The store's schema revision; a store from before migrations counts as the first."""
    current = current_revision(connection)
    if current is None and inspect(connection).has_table("articles"):
        return FIRST_REVISION
    return current


def ensure_schema(engine: Engine, upgrade: bool = True) -> None:
    """Bring the store's schema to this version's head, or explain why not."""
    scripts = ScriptDirectory.from_config(alembic_config())
    head = scripts.get_current_head()
    with engine.begin() as connection:
        current = current_revision(connection)
        if current is None and store_revision(connection) == FIRST_REVISION:
            command.stamp(alembic_config(connection), FIRST_REVISION)
            current = FIRST_REVISION
        if current == head:
            return
        if current is not None and current not in {s.revision for s in scripts.walk_revisions()}:
            raise StoreError(
                f"the store was written by a newer version of aggregator (schema {current}, "
                f"this version knows up to {head}); upgrade aggregator to use it"
            )
        if not upgrade:
            raise StoreError(
                f"the store's schema is {current}, this version needs {head}: run `aggregator db upgrade`"
            )
        if current is not None:
            logger.warning("upgrading the store schema from %s to %s", current, head)
        command.upgrade(alembic_config(connection), "head")
