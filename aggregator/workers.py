"""Extraction worker processes, fed from the event loop, that die with their crawl and are
replaced when one dies.

Each worker has two pipes of its own: calls go down one, results come back up
the other, and the crawl's event loop reads and writes both without blocking.
``concurrent.futures.ProcessPoolExecutor`` did this through a manager thread
and a feeder thread that took the crawl process's interpreter lock several
times a page: half a millisecond of the crawl process's CPU per page, and a
third of what the workers spent besides reading pages (issue 12, item 7).

A worker that dies (the OOM killer, a crash in lxml) fails the calls it held
with ``BrokenProcessPool`` and is replaced, ``restarts`` times a run at most;
past that every call raises ``WorkersDiedError`` and the crawl stops with a
non-zero exit (issue 11, finding 4: a broken pool once turned every page of a
run into a recorded drop).

Workers must not outlive the crawl either (finding 5: kill -9 of a crawl left
~160 MB workers reparented to init). On Linux each worker asks the kernel for
SIGKILL when its parent dies (``PR_SET_PDEATHSIG``); elsewhere a watchdog
thread in the worker exits when its parent is gone.
"""

from __future__ import annotations

import asyncio
import ctypes
import logging
import multiprocessing
import os
import pickle
import signal
import struct
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.connection import Connection
from typing import Any

from aggregator.errors import WorkersDiedError

logger = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
_PR_SET_NAME = 15
EXTRACT_PROCESS_NAME = b"agg-extract"  # what ps and top show (15 bytes at most)
_WATCHDOG_SECONDS = 1.0
# Calls a worker holds at once: the one it runs and the next, waiting in its pipe, so it
# never waits for the event loop between two (what the executor's call queue did).
_HELD = 2
_FRAME = struct.Struct("!Q")  # each message: its length, then its pickle
_READ = 1 << 20


class WorkerPool:
    """``workers`` processes for CPU-bound calls; a dead one is replaced ``restarts`` times.

    >>> async def demo() -> int:
    ...     pool = WorkerPool(1, restarts=3)
    ...     try:
    ...         return await pool.run(len, "abc")
    ...     finally:
    ...         pool.shutdown()
    >>> asyncio.run(demo())
    3

    ``run`` is called from one event loop. A call whose worker died raises
    ``BrokenProcessPool`` (made again, it goes to the worker started in its place).
    """

    def __init__(self, workers: int, restarts: int) -> None:
        if workers < 1:
            raise ValueError(f"workers must be at least 1, not {workers}")
        self.restarts = restarts
        self.replaced = 0
        self.failure: WorkersDiedError | None = None
        self._waiting: deque[tuple[bytes, asyncio.Future[Any]]] = deque()
        self._loop: asyncio.AbstractEventLoop | None = None
        # All started now, while the crawl reads robots.txt and its sources.
        self._workers = [_Worker(self) for _ in range(workers)]

    async def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        """``fn(*args)`` in a worker process (both picklable), its result or its exception."""
        if self.failure is not None:
            raise self.failure
        loop = self._attach()
        future: asyncio.Future[Any] = loop.create_future()
        self._waiting.append((pickle.dumps((fn, args), pickle.HIGHEST_PROTOCOL), future))
        self._dispatch()
        return await future

    def shutdown(self) -> None:
        """Stop the workers (the calls they hold are cancelled) and wait for them to exit."""
        for _, future in self._waiting:
            future.cancel()
        self._waiting.clear()
        for worker in self._workers:
            worker.close()
            for future in worker.held:
                future.cancel()
        for worker in self._workers:
            worker.join()

    def _attach(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
            for worker in self._workers:
                worker.attach(self._loop)
        return self._loop

    def _dispatch(self) -> None:
        """Hand waiting calls to the workers holding the fewest."""
        while self._waiting and self._workers:
            worker = min(self._workers, key=lambda w: len(w.held))
            if len(worker.held) >= _HELD:
                return
            worker.send(*self._waiting.popleft())

    def _died(self, worker: _Worker) -> None:
        """Start another worker in ``worker``'s place, if the run may still."""
        self._workers.remove(worker)
        worker.join()
        if self.replaced >= self.restarts:
            self.failure = WorkersDiedError(
                f"an extraction worker died and workers were already replaced {self.replaced} "
                f"time{'s' if self.replaced != 1 else ''} this run (out of memory?)"
            )
            for _, future in self._waiting:
                future.set_exception(self.failure)
            self._waiting.clear()
            return
        self.replaced += 1
        logger.warning("an extraction worker died: starting new workers (%d)", self.replaced)
        replacement = _Worker(self)
        if self._loop is not None:
            replacement.attach(self._loop)
        self._workers.append(replacement)
        self._dispatch()


class _Worker:
    """One worker process and the crawl's ends of its two pipes."""

    def __init__(self, pool: WorkerPool) -> None:
        self.pool = pool
        context = multiprocessing.get_context("spawn")  # the crawl process has threads
        child_calls, self.calls = context.Pipe(duplex=False)
        self.results, child_results = context.Pipe(duplex=False)
        self.process = context.Process(
            target=serve,
            args=(child_calls, child_results, os.getpid(), EXTRACT_PROCESS_NAME),
            daemon=True,
        )
        self.process.start()
        child_calls.close()
        child_results.close()
        os.set_blocking(self.calls.fileno(), False)
        os.set_blocking(self.results.fileno(), False)
        self.held: deque[asyncio.Future[Any]] = deque()  # the calls sent, in order
        self.outbox = bytearray()
        self.inbox = bytearray()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.gone = False

    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        loop.add_reader(self.results.fileno(), self._read)

    def send(self, call: bytes, future: asyncio.Future[Any]) -> None:
        self.held.append(future)
        self.outbox += _FRAME.pack(len(call))
        self.outbox += call
        self._write()

    def _write(self) -> None:
        assert self.loop is not None
        try:
            del self.outbox[: os.write(self.calls.fileno(), self.outbox)]
        except BlockingIOError:
            pass
        except OSError:  # the worker is gone: its results pipe tells, and fails what it held
            self.outbox.clear()
        if self.outbox:
            self.loop.add_writer(self.calls.fileno(), self._write)
        else:
            self.loop.remove_writer(self.calls.fileno())

    def _read(self) -> None:
        try:
            chunk = os.read(self.results.fileno(), _READ)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        if not chunk:
            self._lost()
            return
        self.inbox += chunk
        while len(self.inbox) >= _FRAME.size:
            (size,) = _FRAME.unpack_from(self.inbox)
            end = _FRAME.size + size
            if len(self.inbox) < end:
                break
            ok, value = pickle.loads(self.inbox[_FRAME.size : end])
            del self.inbox[:end]
            future = self.held.popleft()
            if not future.done():
                if ok:
                    future.set_result(value)
                else:
                    future.set_exception(value)
        self.pool._dispatch()

    def _lost(self) -> None:
        """The worker died: what it held fails, and the pool replaces it."""
        self.close()
        for future in self.held:
            if not future.done():
                future.set_exception(BrokenProcessPool("an extraction worker died"))
        self.held.clear()
        self.pool._died(self)

    def close(self) -> None:
        if self.gone:
            return
        self.gone = True
        if self.loop is not None:
            self.loop.remove_reader(self.results.fileno())
            self.loop.remove_writer(self.calls.fileno())
        self.calls.close()  # the worker reads the end of its calls and exits
        self.results.close()

    def join(self) -> None:
        self.process.join(timeout=10)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()


def serve(calls: Connection, results: Connection, parent: int, name: bytes) -> None:
    """A worker's life: each call read from ``calls``, run, its outcome written to ``results``
    (``(True, result)`` or ``(False, exception)``), until the crawl closes its end."""
    init_worker(parent, name)
    while True:
        try:
            header = _read_exactly(calls.fileno(), _FRAME.size)
            fn, args = pickle.loads(_read_exactly(calls.fileno(), _FRAME.unpack(header)[0]))
        except EOFError:
            return
        try:
            outcome = pickle.dumps((True, fn(*args)), pickle.HIGHEST_PROTOCOL)
        except Exception as exc:
            outcome = pickle.dumps((False, _picklable(exc)), pickle.HIGHEST_PROTOCOL)
        try:
            _write_all(results.fileno(), _FRAME.pack(len(outcome)) + outcome)
        except OSError:  # the crawl is shutting down, or gone
            return


def _picklable(exc: Exception) -> Exception:
    try:
        pickle.dumps(exc)
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc


def _read_exactly(fd: int, size: int) -> bytes:
    parts = []
    while size:
        part = os.read(fd, size)
        if not part:
            raise EOFError
        parts.append(part)
        size -= len(part)
    return b"".join(parts)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def init_worker(parent: int, name: bytes) -> None:
    """Ctrl-C reaches the whole process group: the crawl shuts down gracefully, workers
    carry on with what they hold. A dead parent, though, takes its workers with it.
    ``name`` tells an operator (and the fault tests) which of a crawl's processes is which."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _prctl(_PR_SET_NAME, ctypes.c_char_p(name[:15]))
    if not _die_with_parent():
        threading.Thread(target=_watch, args=(parent,), daemon=True, name="watchdog").start()
    if os.getppid() != parent:  # the parent died before the kernel was asked to tell us
        os._exit(1)


def _die_with_parent() -> bool:
    """Ask Linux to SIGKILL this process when its parent dies; False where that is not possible."""
    return _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def _prctl(option: int, value: object) -> bool:
    """Linux's prctl(2); False where there is none or it fails."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(option, value, 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(_WATCHDOG_SECONDS)
    os._exit(1)
