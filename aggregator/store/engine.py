"""Opening a store: one SQLAlchemy engine per database URL, SQLite tuned for a scheduler."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import (
    ArgumentError,
    InterfaceError,
    NoSuchModuleError,
    OperationalError,
    SQLAlchemyError,
)
from sqlalchemy.orm import Session

from aggregator.errors import StoreError
from aggregator.store.migrate import ensure_schema, store_revision

SQLITE_BUSY_TIMEOUT_MS = 30_000
_NO_SCHEMA = "the database holds no aggregator store (a crawl creates one)"


class Store:
    """The story store at a database URL (``sqlite:///data/aggregator.sqlite`` by default).

    Opening it brings its schema up to date (``upgrade=False`` refuses instead).
    Commands that only read open it with ``create=False``: a mistyped path or
    an empty database is "no store at ...", never a new empty store.

    >>> store = Store("sqlite://")          # in memory
    >>> with store.session() as s, s.begin():
    ...     pass
    """

    def __init__(self, url: str, upgrade: bool = True, create: bool = True) -> None:
        self.url = url
        if not create:
            _require_file(url)
        self.engine = _create_engine(url)
        try:
            if not create:
                _require_schema(self.engine, url)
            ensure_schema(self.engine, upgrade=upgrade)
        except SQLAlchemyError as exc:
            self.engine.dispose()
            raise StoreError(f"cannot open store {safe_url(url)}: {first_line(exc)}") from None
        except StoreError:
            self.engine.dispose()
            raise

    @property
    def safe_url(self) -> str:
        """The URL without its password, for messages and logs."""
        return safe_url(self.url)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


@contextmanager
def open_unmigrated(url: str) -> Iterator[Engine]:
    """An engine on ``url`` with the store's checks and tuning, its schema left as it is."""
    engine = _create_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite store URL; None for other databases and in-memory SQLite."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def _require_file(url: str) -> None:
    """A SQLite store must exist and hold a store, checked read-only: opening the engine would
    create the file, or switch a foreign database to WAL."""
    path = sqlite_path(url)
    if path is None:
        return
    if not path.is_file():
        raise StoreError(f"no store at {path} (a crawl creates one; check --db or AGGREGATOR_DB)")
    try:
        with closing(sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True)) as connection:
            tables = {name for (name,) in connection.execute("select name from sqlite_master")}
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open store {path}: {exc}") from None
    if not tables & {"alembic_version", "articles"}:
        raise StoreError(f"no store at {safe_url(url)}: {_NO_SCHEMA}")


def _require_schema(engine: Engine, url: str) -> None:
    with engine.connect() as connection:
        empty = store_revision(connection) is None
    if empty:
        raise StoreError(f"no store at {safe_url(url)}: {_NO_SCHEMA}")


def _create_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(
            f"not a database URL: {url!r} (expected e.g. sqlite:///data/aggregator.sqlite "
            "or postgresql+psycopg://user@host/db)"
        ) from None
    path = sqlite_path(url)
    if path is not None and not path.parent.exists():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create directory for {path}: {exc.strerror}") from None
    try:
        engine = create_engine(parsed)
    except (NoSuchModuleError, ImportError, ArgumentError) as exc:
        raise StoreError(f"cannot use database URL {safe_url(url)}: {first_line(exc)}") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _tune_sqlite)
    try:
        with engine.connect():
            pass
    except OperationalError as exc:
        engine.dispose()
        raise StoreError(f"cannot open store {safe_url(url)}: {first_line(exc)}") from None
    return engine


def _tune_sqlite(connection: sqlite3.Connection, _record: object) -> None:
    """Foreign keys on; WAL so analysts can read while a crawl writes; wait for locks."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def store_failure(exc: SQLAlchemyError) -> StoreError | None:
    """The ``StoreError`` a failed write means when the store itself is unusable, else None.

    A full disk, a read-only file or a lost connection fails every later write too,
    so the crawl must stop (issue 11, item 6); an integrity error is one row's problem.
    """
    if isinstance(exc, OperationalError | InterfaceError) or getattr(
        exc, "connection_invalidated", False
    ):
        return StoreError(f"cannot write the store: {first_line(exc)}")
    return None


def safe_url(url: str) -> str:
    """The URL without its password, for messages (the URL quoted when it does not parse)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return repr(url)


def first_line(exc: BaseException) -> str:
    """The first line of a database error: the driver's message, without SQL or parameters."""
    return str(getattr(exc, "orig", None) or exc).splitlines()[0]
