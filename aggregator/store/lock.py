"""The crawl lock: one crawl writes to a store at a time (issue 6, item 3).

SQLite's WAL mode and busy timeout keep each transaction safe, but two crawls
of one store would fight over every write and each would keep a stale dedup
index. So a crawl takes the store's lock first; a second crawl waits up to
``wait`` seconds for it, then gives up with a ``StoreLockedError`` that names
the holder.

- SQLite: ``flock`` on ``<store>.lock`` beside the database file. The kernel
  drops it when the holding process exits or is killed, so no lock goes stale.
- PostgreSQL: a session-level advisory lock held on a connection of its own,
  dropped by the server when that connection ends.

The lock is re-entrant within a process (the CLI can take it around a crawl
whose storage pipeline takes it again), so it is keyed by process id.

    >>> with crawl_lock("sqlite:///data/aggregator.sqlite", wait=60):   # doctest: +SKIP
    ...     run_the_crawl()
"""

from __future__ import annotations

import fcntl
import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import make_url

from aggregator.errors import StoreError
from aggregator.store.engine import sqlite_path

logger = logging.getLogger(__name__)

EXIT_LOCKED = 5
POLL_SECONDS = 0.2
# pg_try_advisory_lock key: "aggregator crawl" in ASCII, folded into a signed bigint.
PG_LOCK_KEY = int.from_bytes(b"aggcrawl", "big", signed=True)
_APPLICATION = "aggregator-crawl-{pid}"


class StoreLockedError(StoreError):
    """Another crawl holds the store's lock; exit 5 so a cron job can tell it from a failure."""

    exit_code = EXIT_LOCKED


@contextmanager
def crawl_lock(url: str, wait: float = 0) -> Iterator[None]:
    """Hold the crawl lock of the store at ``url``, waiting up to ``wait`` seconds for it."""
    path = sqlite_path(url)
    if path is not None:
        with _file_lock(path.with_name(path.name + ".lock"), wait):
            yield
    elif make_url(url).get_backend_name() == "postgresql":
        with _advisory_lock(url, wait):
            yield
    else:  # in-memory SQLite: nothing else can open it
        yield


@contextmanager
def _file_lock(lock_path: Path, wait: float) -> Iterator[None]:
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("a+", encoding="utf-8") as handle:
        if not _poll(lambda: _try_flock(handle), wait):
            holder = _read_holder(handle)
            if holder.startswith(f"pid {os.getpid()} "):
                yield  # this process holds it already (re-entrant)
                return
            raise StoreLockedError(_busy_message(str(lock_path.with_suffix("")), holder, wait))
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(f"pid {os.getpid()} since {_now()}\n")
            handle.flush()
            logger.info("crawl lock taken: %s", lock_path)
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)


def _try_flock(handle: IO[str]) -> bool:
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _read_holder(handle: IO[str]) -> str:
    handle.seek(0)
    return handle.read().strip() or "another process"


@contextmanager
def _advisory_lock(url: str, wait: float) -> Iterator[None]:
    application = _APPLICATION.format(pid=os.getpid())
    engine = create_engine(url, connect_args={"application_name": application})
    try:
        with engine.connect() as connection:
            if _poll(lambda: _try_advisory(connection), wait):
                try:
                    logger.info("crawl lock taken: advisory lock %s", PG_LOCK_KEY)
                    yield
                finally:
                    connection.execute(
                        text("SELECT pg_advisory_unlock(:key)"), {"key": PG_LOCK_KEY}
                    )
                    connection.commit()
                return
            holder = _advisory_holder(connection)
            if holder == application:
                yield  # another connection of this process holds it (re-entrant)
                return
            raise StoreLockedError(_busy_message(make_url(url).render_as_string(), holder, wait))
    finally:
        engine.dispose()


def _try_advisory(connection: Connection) -> bool:
    taken = connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": PG_LOCK_KEY})
    connection.commit()  # the lock is the session's, not the transaction's
    return bool(taken)


def _advisory_holder(connection: Connection) -> str:
    """The application name of the session holding the lock (``aggregator-crawl-PID``)."""
    holder = connection.scalar(
        text(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted "
            "AND l.classid::bigint = (:key >> 32) AND l.objid::bigint = (:key & 4294967295) "
            "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        ),
        {"key": PG_LOCK_KEY},
    )
    connection.commit()
    return holder or "another session"


def _poll(attempt: Callable[[], bool], wait: float) -> bool:
    """Call ``attempt`` until it succeeds or ``wait`` seconds have passed."""
    deadline = time.monotonic() + max(wait, 0)
    while True:
        if attempt():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(POLL_SECONDS)


def _busy_message(store: str, holder: str, wait: float) -> str:
    waited = f"waited {wait:g} s for it" if wait > 0 else "not waiting for it"
    return f"another crawl is writing to {store} ({holder}); {waited}, so this one stops here"


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
