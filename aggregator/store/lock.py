"""The crawl lock: one crawl writes to a store at a time (issue 6, item 3; issue 11, item 5).

SQLite's WAL mode and busy timeout keep each transaction safe, but two crawls
of one store would fight over every write and each would keep a stale dedup
index. So a crawl takes the store's lock first; a second crawl waits up to
``wait`` seconds for it, then gives up with a ``StoreLockedError`` that names
the holder.

- SQLite: ``flock`` on ``<store>.lock`` beside the store's real file (symlinks
  resolved, so every path to one store meets one lock), opened without
  following a link planted at that name. The kernel holds the lock on the
  open file and drops it when the holder exits or is killed, in whatever PID
  namespace (container) it runs, so no lock goes stale.
- PostgreSQL: a session-level advisory lock in the store's database, held on
  a connection of its own and dropped by the server when that connection ends.

The lock is re-entrant within a process (the CLI takes it around a crawl whose
storage pipeline takes it again). What this process holds is known from its own
table, never from the pid written in the lock file: in another PID namespace
the same pid number belongs to another process.

    >>> import tempfile
    >>> store = f"sqlite:///{tempfile.mkdtemp()}/store.sqlite"
    >>> with crawl_lock(store, wait=60):
    ...     pass  # the crawl runs here; another process taking the lock waits or stops
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import logging
import os
import socket
import stat
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import make_url

from aggregator.errors import StoreError, StoreLockedError
from aggregator.store.engine import sqlite_path
from aggregator.store.types import ISO_FORMAT

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.2
# pg_try_advisory_lock key: "aggregator crawl" in ASCII, folded into a signed bigint.
PG_LOCK_KEY = int.from_bytes(b"aggcrawl", "big", signed=True)
_APPLICATION = "aggregator-crawl-{pid}@{host}"


class _HeldLocks:
    """The crawl locks this process holds, with how many times each was entered.

    One table per process, because a lock is held by a process: the kernel's
    flock and the server's advisory lock know no smaller owner. Entries carry
    the pid that took them, so a forked child never believes it holds one.
    """

    def __init__(self) -> None:
        self._held: dict[str, tuple[int, int]] = {}  # key -> (pid, depth)
        self._guard = threading.Lock()

    def reenter(self, key: str) -> bool:
        """Enter a lock this process already holds; False when it does not hold it."""
        with self._guard:
            pid, depth = self._held.get(key, (0, 0))
            if pid != os.getpid():
                return False
            self._held[key] = (pid, depth + 1)
            return True

    def taken(self, key: str) -> None:
        with self._guard:
            self._held[key] = (os.getpid(), 1)

    def leave(self, key: str) -> None:
        with self._guard:
            pid, depth = self._held.pop(key)
            if depth > 1:
                self._held[key] = (pid, depth - 1)


_HELD = _HeldLocks()


@contextmanager
def crawl_lock(url: str, wait: float = 0) -> Iterator[None]:
    """Hold the crawl lock of the store at ``url``, waiting up to ``wait`` seconds for it."""
    path = sqlite_path(url)
    if path is not None:
        store = Path(os.path.realpath(path))
        lock = _file_lock(store.with_name(store.name + ".lock"), str(store), wait)
    elif make_url(url).get_backend_name() == "postgresql":
        lock = _advisory_lock(url, wait)
    else:  # in-memory SQLite: nothing else can open it
        lock = _nothing()
    with _reentrant(lock_key(url), lock):
        yield


def lock_key(url: str) -> str:
    """What identifies a store's lock: its real path, or its database (server and name)."""
    path = sqlite_path(url)
    if path is not None:
        return f"sqlite:{os.path.realpath(path)}"
    parsed = make_url(url)
    return (
        f"{parsed.get_backend_name()}://{parsed.host or ''}:{parsed.port or ''}/{parsed.database}"
    )


@contextmanager
def _reentrant(key: str, lock: object) -> Iterator[None]:
    """Enter ``lock`` (a context manager), unless this process already holds ``key``."""
    if _HELD.reenter(key):
        try:
            yield
        finally:
            _HELD.leave(key)
        return
    with lock:  # type: ignore[attr-defined]
        _HELD.taken(key)
        try:
            yield
        finally:
            _HELD.leave(key)


@contextmanager
def _nothing() -> Iterator[None]:
    yield


@contextmanager
def _file_lock(lock_path: Path, store: str, wait: float) -> Iterator[None]:
    # A raw descriptor, no buffer: on a full disk nothing is left to flush on the way out.
    fd = _open_lock_file(lock_path)
    try:
        if not _poll(lambda: _try_flock(fd), wait):
            raise StoreLockedError(_busy_message(store, _read_holder(fd), wait))
        try:
            _write_holder(fd, lock_path)
            logger.info("crawl lock taken: %s", lock_path)
            yield
        finally:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _open_lock_file(lock_path: Path) -> int:
    """The lock file, created if need be; a symlink or special file planted there is refused,
    never followed (the holder line is written into it)."""
    try:
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK
        fd = os.open(lock_path, flags, 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise StoreError(f"{lock_path} is a symbolic link; not following it") from None
        raise StoreError(f"cannot open the lock file {lock_path}: {exc.strerror}") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise StoreError(f"{lock_path} is not a regular file; not using it as a lock")
    return fd


def _write_holder(fd: int, lock_path: Path) -> None:
    """Who holds the lock, for the message a second crawl prints. A full or read-only disk
    fails here first: a one-line store error (exit 3), not an unexpected OSError."""
    line = f"pid {os.getpid()} on {socket.gethostname()} since {_now()}\n"
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, line.encode(), 0)
    except OSError as exc:
        raise StoreError(f"cannot write the lock file {lock_path}: {exc.strerror}") from None


def _try_flock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _read_holder(fd: int) -> str:
    return os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "another process"


@contextmanager
def _advisory_lock(url: str, wait: float) -> Iterator[None]:
    application = _APPLICATION.format(pid=os.getpid(), host=socket.gethostname())[:63]
    engine = create_engine(url, connect_args={"application_name": application})
    try:
        with engine.connect() as connection:
            if not _poll(lambda: _try_advisory(connection), wait):
                holder = _advisory_holder(connection)
                raise StoreLockedError(
                    _busy_message(make_url(url).render_as_string(), holder, wait)
                )
            try:
                logger.info("crawl lock taken: advisory lock %s", PG_LOCK_KEY)
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": PG_LOCK_KEY})
                connection.commit()
    finally:
        engine.dispose()


def _try_advisory(connection: Connection) -> bool:
    taken = connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": PG_LOCK_KEY})
    connection.commit()  # the lock is the session's, not the transaction's
    return bool(taken)


def _advisory_holder(connection: Connection) -> str:
    """The application name of the session holding the lock (``aggregator-crawl-PID@HOST``)."""
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
    deadline = time.monotonic() + (wait if wait > 0 else 0)  # NaN waits not at all
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
    return datetime.now(UTC).strftime(ISO_FORMAT)
