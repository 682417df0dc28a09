"""Copying a store into an empty database, ids kept: SQLite to PostgreSQL (issue 15, item 6).

Every table of the models is copied in foreign-key order, in batches read with
a streaming cursor and written with one ``executemany`` each, so memory holds
one batch whatever the store's size. The destination is written in one
transaction: a copy that fails leaves it as empty as it found it, and running
the command again starts over. Both stores' crawl locks are held throughout,
so no crawl writes to either mid-copy.

Stored fingerprints and sketches are copied as the bytes they are: the
destination's writer rebuilds its dedup index from them, as it does from the
source's, without reading a text again. Works either way (PostgreSQL to SQLite
too); the dialect-specific steps are the foreign keys, whose checks wait for
the last row, and PostgreSQL's sequences, which must continue after the
copied ids.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, Table, func, insert, inspect, select, text
from sqlalchemy.exc import SQLAlchemyError

from aggregator.errors import StoreError
from aggregator.store.engine import first_line, open_unmigrated, safe_url, sqlite_path
from aggregator.store.lock import crawl_lock, lock_key
from aggregator.store.migrate import ensure_schema, head_revision, store_revision
from aggregator.store.models import Base

BATCH_ROWS = 1_000  # rows read and written at a time: a batch of articles is a few MB


@dataclass(frozen=True)
class TableCopied:
    """How far the copy of one table has come (``done`` once its last row is written)."""

    table: str
    rows: int
    seconds: float
    done: bool


@dataclass(frozen=True)
class CopyResult:
    """Rows and seconds of each copied table, in the order they were copied."""

    tables: tuple[TableCopied, ...]
    seconds: float

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)

    def rows_of(self, table: str) -> int:
        return next(t.rows for t in self.tables if t.table == table)


Progress = Callable[[TableCopied], None]


def copy_store(
    source_url: str,
    target_url: str,
    wait: float = 0,
    batch_rows: int = BATCH_ROWS,
    progress: Progress | None = None,
) -> CopyResult:
    """Copy the store at ``source_url`` into the empty database at ``target_url``.

    The source must be at this version's schema: it is read, never upgraded,
    since an older aggregator may still be crawling into it. The destination
    gets the schema first. A destination that holds any row is refused: merging
    two stores would renumber ids and leave two story assignments side by side.
    ``wait`` is how long to wait for a crawl holding either store's lock.
    """
    path = sqlite_path(source_url)
    if path is not None and not path.is_file():
        raise StoreError(f"nothing to copy: no store at {path}")
    started = time.monotonic()
    with ExitStack() as stack:
        source = stack.enter_context(open_unmigrated(source_url))
        _require_current(source, source_url)
        target = stack.enter_context(open_unmigrated(target_url))
        if lock_key(source_url) == lock_key(target_url):
            raise StoreError(f"{safe_url(source_url)} is both the source and the destination")
        stack.enter_context(crawl_lock(source_url, wait=wait))
        stack.enter_context(crawl_lock(target_url, wait=wait))
        _require_empty(target, target_url)
        try:
            ensure_schema(target)
        except SQLAlchemyError as exc:
            raise StoreError(
                f"cannot create the store in {safe_url(target_url)}: {first_line(exc)}"
            ) from None
        tables = _copy_tables(source, target, batch_rows, progress)
    return CopyResult(tables, time.monotonic() - started)


def _copy_tables(
    source: Engine, target: Engine, batch_rows: int, progress: Progress | None
) -> tuple[TableCopied, ...]:
    """Every table in one transaction on the destination: all of it is copied, or none."""
    copied: list[TableCopied] = []
    step = "preparing the destination"
    try:
        with source.connect() as reader, target.begin() as writer:
            restore_keys = _defer_foreign_keys(writer)
            for table in Base.metadata.sorted_tables:
                step = f"copying {table.name}"
                copied.append(_copy_table(reader, writer, table, batch_rows, progress))
            step = "checking the foreign keys"
            restore_keys()
            if writer.dialect.name == "postgresql":
                _reset_sequences(writer)
            step = "committing"
    except SQLAlchemyError as exc:
        raise StoreError(
            f"the copy into {target.url.render_as_string()} failed {step}, so nothing "
            f"was copied: {first_line(exc)}"
        ) from None
    return tuple(copied)


def _copy_table(
    reader: Connection,
    writer: Connection,
    table: Table,
    batch_rows: int,
    progress: Progress | None,
) -> TableCopied:
    """Stream ``table`` in primary-key order, one ``executemany`` per batch."""
    started, rows = time.monotonic(), 0
    result = reader.execution_options(yield_per=batch_rows).execute(
        select(table).order_by(*table.primary_key.columns)
    )
    for batch in result.partitions():
        writer.execute(insert(table), [row._asdict() for row in batch])
        rows += len(batch)
        if progress:
            progress(TableCopied(table.name, rows, time.monotonic() - started, done=False))
    copied = TableCopied(table.name, rows, time.monotonic() - started, done=True)
    if progress:
        progress(copied)
    return copied


def _defer_foreign_keys(writer: Connection) -> Callable[[], None]:
    """Hold the foreign-key checks until every table is in; returns what restores them.

    ``stories`` and ``articles`` point at each other, so no table order satisfies
    row-by-row checks. SQLite defers them to the commit. PostgreSQL's keys are
    not deferrable: they are dropped and added again by their own definitions,
    which checks every row at once (faster than a check per row, as pg_restore does).
    """
    if writer.dialect.name == "sqlite":
        writer.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        return lambda: None
    names = [table.name for table in Base.metadata.sorted_tables]
    keys = writer.execute(
        text(
            "SELECT format('ALTER TABLE %s DROP CONSTRAINT %I', conrelid::regclass, conname), "
            "format('ALTER TABLE %s ADD CONSTRAINT %I %s', conrelid::regclass, conname, "
            "pg_get_constraintdef(oid)) "
            "FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY(CAST(:names AS regclass[]))"
        ),
        {"names": names},
    ).all()
    for drop, _add in keys:
        writer.exec_driver_sql(drop)

    def restore() -> None:
        for _drop, add in keys:
            writer.exec_driver_sql(add)

    return restore


def _reset_sequences(writer: Connection) -> None:
    """Each serial id continues after the largest copied one, so later inserts do not collide."""
    for table in Base.metadata.sorted_tables:
        if len(table.primary_key.columns) != 1:
            continue
        (column,) = table.primary_key.columns
        sequence = writer.scalar(select(func.pg_get_serial_sequence(table.name, column.name)))
        if sequence is not None:
            writer.scalar(
                select(func.setval(sequence, func.coalesce(func.max(column), 0) + 1, False))
            )


def _require_current(engine: Engine, url: str) -> None:
    """The source must be a store at this version's schema, or the copy would not be one."""
    try:
        with engine.connect() as connection:
            revision = store_revision(connection)
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot read {safe_url(url)}: {first_line(exc)}") from None
    if revision is None:
        raise StoreError(f"nothing to copy: {safe_url(url)} holds no aggregator store")
    if revision != head_revision():
        raise StoreError(
            f"{safe_url(url)} is at schema {revision}, this version copies stores at "
            f"{head_revision()}: run `aggregator db upgrade --db {safe_url(url)}` first"
        )


def _require_empty(engine: Engine, url: str) -> None:
    """Refuse a destination holding any row of the store's tables, naming what it holds."""
    with engine.connect() as connection:
        present = set(inspect(connection).get_table_names())
        held = {
            table.name: count
            for table in Base.metadata.sorted_tables
            if table.name in present
            and (count := connection.scalar(select(func.count()).select_from(table)))
        }
    if held:
        what = ", ".join(f"{count:,} {name}" for name, count in held.items())
        raise StoreError(
            f"{safe_url(url)} is not empty (it holds {what}): db copy writes only into an "
            "empty database, so nothing was copied; copy into a new one"
        )
