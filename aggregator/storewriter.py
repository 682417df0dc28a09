"""The crawl's store writer: dedup, story assignment and every store write, in a process of its own.

Storing an article costs the crawl more than fetching it (fingerprinting, the
candidate search, the story recomputation, the transaction), and on the
crawl's own interpreter lock it competed with the event loop for every page
(issue 12, item 3). So one process owns the writes of a crawl: the articles,
and the crawl-state changes the spider decides (``CrawlState`` hands them here
through ``StateWrites``). It applies them in the order they were made, in
batched transactions, so what the store holds after a kill is always a prefix
of what the crawl decided. A batch is applied by ``aggregator.batches``, the
core the cluster's story writer shares.

Back-pressure: ``store`` waits while ``max_batches`` batches are in the writer,
and each page's item waits for its own article to commit, which holds Scrapy's
scraper slot; memory stays flat however long the crawl. A writer that dies
fails what it held with ``WriterDiedError`` (exit 8): nothing it had not
committed is marked stored, so the next run fetches it again.

    >>> import asyncio, tempfile
    >>> from aggregator.dedup import DedupConfig
    >>> writer = StoreWriter(f"sqlite:///{tempfile.mkdtemp()}/s.sqlite", {}, DedupConfig())
    >>> cpu_seconds = asyncio.run(writer.close())  # nothing written; the writer stops
    >>> cpu_seconds > 0
    True
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from aggregator.batches import ArticleWrite, BatchWriter, Change, StateChange, Stored
from aggregator.collector import settle
from aggregator.config import Outlet
from aggregator.crawlstate import UrlState
from aggregator.dedup import DedupConfig
from aggregator.errors import AggregatorError, StoreError, WriterDiedError
from aggregator.store import Store
from aggregator.workers import init_worker

logger = logging.getLogger(__name__)

BATCH_ARTICLES = 32  # articles per transaction at most
BATCH_SECONDS = 0.05  # how long a change waits for others to share its transaction
MAX_BATCHES = 4  # batches handed to the writer and not yet committed
WRITER_PROCESS_NAME = b"agg-writer"  # what ps and top show


class StoreWriter:
    """The crawl side of the writer process: buffers changes in order and hands them over in
    batches. Used on the crawl's event loop only (the reactor thread)."""

    def __init__(
        self,
        db_url: str,
        outlets: Mapping[str, Outlet],
        config: DedupConfig,
        batch_articles: int = BATCH_ARTICLES,
        batch_seconds: float = BATCH_SECONDS,
        max_batches: int = MAX_BATCHES,
        on_failure: Callable[[AggregatorError], None] | None = None,
    ) -> None:
        self.batch_articles = batch_articles
        self.batch_seconds = batch_seconds
        self.max_batches = max_batches
        self.executor = ProcessPoolExecutor(
            1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_open_writer,
            initargs=(os.getpid(), db_url, dict(outlets), config),
        )
        # Started now, not at the first write: loading the dedup index overlaps the crawl's start.
        self._started = self.executor.submit(os.getpid)
        # The first error that stops every later write: the writer died, or the store is unusable.
        self.failure: AggregatorError | None = None
        self._on_failure = on_failure
        self._closed = False
        self._changes: list[Change] = []
        self._waiters: list[asyncio.Future[Stored]] = []
        self._articles = 0
        self._timer: asyncio.TimerHandle | None = None
        self._in_flight: deque[asyncio.Future[None]] = deque()

    @property
    def pid(self) -> int:
        """The writer process's id (waits for it to start)."""
        return self._started.result()

    # StateWrites, for CrawlState
    def write(self, outlet: str, inserts: list[UrlState], updates: list[UrlState]) -> None:
        self._add(StateChange(outlet, inserts, updates))

    async def store(self, write: ArticleWrite) -> Stored:
        """Store the article; returns once its transaction committed (or failed).

        Raises ``WriterDiedError`` when the writer process died, ``StoreError``
        when the store cannot be written at all.
        """
        while len(self._in_flight) >= self.max_batches:
            await asyncio.wait([self._in_flight[0]])
        waiter: asyncio.Future[Stored] = asyncio.get_running_loop().create_future()
        self._add(write, waiter)
        return await waiter

    def flush(self) -> None:
        """Hand the buffered changes to the writer as one batch."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._changes:
            return
        changes, waiters = self._changes, self._waiters
        self._changes, self._waiters, self._articles = [], [], 0
        if self.failure is not None:
            _fail(waiters, self.failure)
            return
        try:
            future = self.executor.submit(apply_batch, changes)
        except BrokenProcessPool as exc:
            _fail(waiters, self._died(exc))
            return
        done = asyncio.ensure_future(self._settle(future, waiters))
        self._in_flight.append(done)
        done.add_done_callback(self._in_flight.remove)

    async def close(self) -> float | None:
        """Write everything buffered, wait for it, and stop the writer process.

        Returns the CPU seconds the writer process spent (None when it died), for the run's
        figures: the crawl's cost per page, stage by stage.
        """
        self.flush()
        self._closed = True
        while self._in_flight:
            await asyncio.wait([self._in_flight[0]])
        cpu = None
        if not isinstance(self.failure, WriterDiedError):
            try:
                cpu = await asyncio.wrap_future(self.executor.submit(time.process_time))
            except BrokenProcessPool as exc:
                self._died(exc)
        self.executor.shutdown(wait=True, cancel_futures=True)
        return cpu

    def _add(self, change: Change, waiter: asyncio.Future[Stored] | None = None) -> None:
        if self._closed:  # a late callback of a closing crawl: its page is fetched again
            logger.warning("a change of %s came after the store writer closed", change.outlet)
            if waiter is not None:
                waiter.set_exception(WriterDiedError("the store writer was closed"))
            return
        self._changes.append(change)
        if waiter is not None:
            self._waiters.append(waiter)
            self._articles += 1
        if self._articles >= self.batch_articles:
            self.flush()
        elif self._timer is None:
            loop = asyncio.get_running_loop()
            self._timer = loop.call_later(self.batch_seconds, self.flush)

    async def _settle(
        self, future: Future[list[Stored]], waiters: list[asyncio.Future[Stored]]
    ) -> None:
        try:
            results = await asyncio.wrap_future(future)
        except BrokenProcessPool as exc:
            _fail(waiters, self._died(exc))
            return
        except StoreError as exc:  # the store cannot be written: every later write fails too
            _fail(waiters, self._failed(exc))
            return
        except Exception as exc:  # a bug: its articles fail, are recorded as errors, retried
            logger.exception("the store writer failed a batch")
            _fail(waiters, exc)
            return
        for waiter, result in zip(waiters, results, strict=True):
            if not waiter.done():
                waiter.set_result(result)

    def _died(self, exc: BaseException) -> AggregatorError:
        return self._failed(
            WriterDiedError(
                f"the store writer process died ({exc or type(exc).__name__}); what it had "
                "not committed is fetched again by the next run"
            )
        )

    def _failed(self, error: AggregatorError) -> AggregatorError:
        """Keep the first error that stops the writes and tell the crawl once: a batch of
        crawl-state changes alone has nobody waiting for it."""
        if self.failure is None:
            self.failure = error
            logger.info("%s", error)  # the CLI prints it once, as its last line
            if self._on_failure is not None:
                self._on_failure(error)
        return self.failure


def _fail(waiters: Sequence[asyncio.Future[Stored]], exc: BaseException) -> None:
    for waiter in waiters:
        if not waiter.done():
            waiter.set_exception(exc)


# The writer process.

_writer: BatchWriter | None = None


def _open_writer(parent: int, db_url: str, outlets: dict[str, Outlet], config: DedupConfig) -> None:
    global _writer
    init_worker(parent, WRITER_PROCESS_NAME)
    _writer = BatchWriter(Store(db_url), outlets, config)
    settle()  # the dedup index just loaded lives as long as the writer


def apply_batch(changes: list[Change]) -> list[Stored]:
    """Apply ``changes`` in one transaction in the writer process (``BatchWriter.apply``)."""
    assert _writer is not None, "apply_batch runs in the writer process"
    return _writer.apply(changes)


__all__ = ["ArticleWrite", "Change", "StateChange", "StoreWriter", "Stored", "apply_batch"]
