"""``aggregator db``: the store's schema (upgrade it, or see where it stands)."""

from __future__ import annotations

import time
from typing import Any

import click

from aggregator.cli.base import db_option, lock_wait_option, main
from aggregator.errors import StoreError
from aggregator.store import Store
from aggregator.store.copy import TableCopied, copy_store
from aggregator.store.engine import open_unmigrated, safe_url, sqlite_path
from aggregator.store.migrate import head_revision, store_revision

PROGRESS_SECONDS = 10  # a long table's rows so far, this often (on stderr)


@main.group()
def db() -> None:
    """Manage the store's schema: `db upgrade` migrates it, `db status` shows where it stands,
    `db copy` copies a store into another database.

    Crawls upgrade the store on their own (with a log line); run `db upgrade`
    to do it ahead of time, e.g. right after installing a new version.

    \b
    Example:
      aggregator db status --db sqlite:///data/aggregator.sqlite
      aggregator db upgrade --db sqlite:///data/aggregator.sqlite
      aggregator db copy --from data/aggregator.sqlite --to postgresql+psycopg://agg@db/agg
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


class StoreURL(click.ParamType):
    """A database URL, or the path of a SQLite file (``data/aggregator.sqlite``).

    For ``--from`` only, where the store must exist: a mistyped destination URL
    taken for a path would create a SQLite file of that name.
    """

    name = "url|path"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        return value if "://" in value else f"sqlite:///{value}"


@db.command("copy")
@click.option(
    "--from",
    "source",
    type=StoreURL(),
    required=True,
    help="The store to copy: a database URL or a SQLite file.",
)
@click.option(
    "--to",
    "target",
    metavar="URL",
    required=True,
    help="The URL of an empty database to copy it into: postgresql+psycopg://USER@HOST/DB "
    "(or sqlite:///FILE).",
)
@lock_wait_option
def copy(source: str, target: str, lock_wait: float) -> None:
    """Copy a store into an empty database, every table and id as it is: SQLite to PostgreSQL.

    The destination gets the schema, then every row in one transaction (a
    failed copy leaves it empty); its id sequences continue after the copied
    ids, and stored fingerprints are copied as they are, so crawls and the
    story writer carry on where the source stopped. A destination that holds
    any row is refused. The source must be at this version's schema (run
    `db upgrade` on it first); it is only read. Both stores are locked against
    crawls meanwhile.

    \b
    Example:
      aggregator db copy --from data/aggregator.sqlite --to postgresql+psycopg://agg@db/agg
    """
    result = copy_store(source, target, wait=lock_wait, progress=_Progress())
    seconds = max(result.seconds, 1e-9)
    click.echo(
        f"copied {result.rows:,} rows ({result.rows_of('articles'):,} articles) from "
        f"{safe_url(source)} to {safe_url(target)} in {result.seconds:.1f} s "
        f"({result.rows / seconds:,.0f} rows/s)"
    )


class _Progress:
    """A line per table copied; a long table's rows so far every PROGRESS_SECONDS on stderr."""

    def __init__(self) -> None:
        self.last = time.monotonic()

    def __call__(self, step: TableCopied) -> None:
        now = time.monotonic()
        if step.done:
            click.echo(f"{step.table:<18} {step.rows:>10,} rows  {step.seconds:6.1f} s")
        elif now - self.last >= PROGRESS_SECONDS:
            click.echo(f"{step.table:<18} {step.rows:>10,} rows so far", err=True)
        else:
            return
        self.last = now
