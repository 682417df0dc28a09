"""``aggregator db``: the store's schema (upgrade it, or see where it stands)."""

from __future__ import annotations

import click

from aggregator.cli.base import db_option, main
from aggregator.errors import StoreError
from aggregator.store import Store
from aggregator.store.engine import open_unmigrated, sqlite_path
from aggregator.store.migrate import head_revision, store_revision


@main.group()
def db() -> None:
    """Manage the store's schema: `db upgrade` migrates it, `db status` shows where it stands.

    Crawls upgrade the store on their own (with a log line); run `db upgrade`
    to do it ahead of time, e.g. right after installing a new version.

    \b
    Example:
      aggregator db status --db sqlite:///data/aggregator.sqlite
      aggregator db upgrade --db sqlite:///data/aggregator.sqlite
    """


@db.command()
@db_option
def upgrade(db_url: str) -> None:
    """Upgrade the store's schema to this version's (an empty database gets the whole schema).

    Data is kept: every migration is tested from the first schema on. A store
    written by a newer version of aggregator is refused, not touched.

    \b
    Example:
      aggregator db upgrade --db postgresql+psycopg://aggregator@localhost/news
    """
    with open_unmigrated(db_url) as engine, engine.connect() as connection:
        before = store_revision(connection)
    with Store(db_url) as store:
        after = head_revision()
        if before == after:
            click.echo(f"{store.safe_url}: schema {after}, already up to date")
        else:
            click.echo(f"{store.safe_url}: schema upgraded from {before or 'empty'} to {after}")


@db.command()
@db_option
def status(db_url: str) -> None:
    """Show the store's schema revision and whether it needs `db upgrade`; changes nothing.

    Exits 0 when up to date, 1 when an upgrade is pending.

    \b
    Example:
      aggregator db status || aggregator db upgrade
    """
    path = sqlite_path(db_url)
    if path is not None and not path.exists():
        raise StoreError(f"no store at {path}")
    with open_unmigrated(db_url) as engine, engine.connect() as connection:
        current = store_revision(connection)
    head = head_revision()
    if current == head:
        click.echo(f"schema {current}, up to date")
        return
    click.echo(
        f"schema {current or 'empty'}, this version needs {head}: run `aggregator db upgrade`"
    )
    click.get_current_context().exit(1)
