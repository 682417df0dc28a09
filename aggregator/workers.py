"""Extraction worker processes that die with their crawl and are replaced when one dies.

A ``ProcessPoolExecutor`` whose worker is killed (the OOM killer, a crash in
lxml) is broken for good: every later page fails with ``BrokenProcessPool``.
Once, that turned every page of a run into a recorded drop (issue 11, finding 4).
``WorkerPool`` replaces a broken pool, ``restarts`` times a run at most; past
that it raises ``WorkersDiedError`` and the crawl stops with a non-zero exit.

Workers must not outlive the crawl either (finding 5: kill -9 of a crawl left
~160 MB workers reparented to init). On Linux each worker asks the kernel for
SIGKILL when its parent dies (``PR_SET_PDEATHSIG``); elsewhere a watchdog
thread in the worker exits when its parent is gone.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor

from aggregator.errors import WorkersDiedError

logger = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
_PR_SET_NAME = 15
EXTRACT_PROCESS_NAME = b"agg-extract"  # what ps and top show (15 bytes at most)
_WATCHDOG_SECONDS = 1.0


class WorkerPool:
    """``workers`` processes for CPU-bound calls; a broken pool is replaced ``restarts`` times.

    >>> pool = WorkerPool(1, restarts=3)
    >>> pool.executor.submit(len, "abc").result()
    3
    >>> pool.shutdown()

    A caller that meets ``BrokenProcessPool`` calls ``pool.replace(executor)`` with
    the executor it used, then submits again to ``pool.executor``.
    """

    def __init__(self, workers: int, restarts: int) -> None:
        if workers < 1:
            raise ValueError(f"workers must be at least 1, not {workers}")
        self.workers = workers
        self.restarts = restarts
        self.replaced = 0
        self.executor = self._start()

    def replace(self, broken: ProcessPoolExecutor) -> None:
        """Start a new pool in place of ``broken`` (once, however many calls found it broken).

        Raises ``WorkersDiedError`` when the pool has been replaced ``restarts`` times already.
        """
        if broken is not self.executor:
            return  # another call replaced it already
        if self.replaced >= self.restarts:
            raise WorkersDiedError(
                f"an extraction worker died and the pool was already replaced {self.replaced} "
                f"time{'s' if self.replaced != 1 else ''} this run (out of memory?)"
            )
        self.replaced += 1
        logger.warning("an extraction worker died: starting new workers (%d)", self.replaced)
        broken.shutdown(wait=False, cancel_futures=True)
        self.executor = self._start()

    def shutdown(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)

    def _start(self) -> ProcessPoolExecutor:
        # spawn, not fork: the crawl process has threads (the store, Twisted's pool).
        executor = ProcessPoolExecutor(
            self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=init_worker,
            initargs=(os.getpid(), EXTRACT_PROCESS_NAME),
        )
        for _ in range(self.workers):  # all started now (one per call), while robots.txt loads
            executor.submit(os.getpid)
        return executor


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
