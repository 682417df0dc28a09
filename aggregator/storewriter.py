"""The crawl's store writer: dedup, story assignment and every store write, in a process of its own.

Storing an article costs the crawl more than fetching it (fingerprinting, the
candidate search, the story recomputation, the transaction), and on the
crawl's own interpreter lock it competed with the event loop for every page
(issue 12, item 3). So one process owns the writes of a crawl: the articles,
and the crawl-state changes the spider decides (``CrawlState`` hands them here
through ``StateWrites``). It applies them in the order they were made, in
batched transactions, so what the store holds after a kill is always a prefix
of what the crawl decided.

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
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from aggregator.config import Outlet
from aggregator.crawlstate import UrlState, write_states
from aggregator.dedup import DedupConfig, Fingerprint, Links, Matcher
from aggregator.errors import AggregatorError, StoreError, WriterDiedError
from aggregator.extract import Article
from aggregator.ingest import load_matcher, save_article
from aggregator.store import Store
from aggregator.store.engine import store_failure
from aggregator.workers import init_worker

logger = logging.getLogger(__name__)

BATCH_ARTICLES = 32  # articles per transaction at most
BATCH_SECONDS = 0.05  # how long a change waits for others to share its transaction
MAX_BATCHES = 4  # batches handed to the writer and not yet committed
WRITER_PROCESS_NAME = b"agg-writer"  # what ps and top show


@dataclass(frozen=True)
class StateChange:
    """Crawl-state rows to write, snapshots taken when the crawl decided."""

    outlet: str
    inserts: list[UrlState]
    updates: list[UrlState]


@dataclass(frozen=True)
class ArticleWrite:
    """An extracted article, with the crawl-state rows that say its URLs are stored."""

    outlet: str
    article: Article
    fetched_at: datetime
    states: list[tuple[UrlState, bool]] = field(default_factory=list)  # (row, is new)


@dataclass(frozen=True)
class Stored:
    """What became of one ``ArticleWrite``: ``status`` new, updated, unchanged or an error."""

    status: str
    new_stories: int = 0
    linked: bool = False
    relinked: int = 0
    error: str | None = None


Change = StateChange | ArticleWrite


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

_writer: _Writer | None = None


class _Writer:
    """The store, the dedup matcher built from it, and the outlets: one per writer process."""

    def __init__(self, db_url: str, outlets: dict[str, Outlet], config: DedupConfig) -> None:
        self.store = Store(db_url)
        self.outlets = outlets
        self.config = config
        self.matcher: Matcher = load_matcher(self.store, config)


def _open_writer(parent: int, db_url: str, outlets: dict[str, Outlet], config: DedupConfig) -> None:
    global _writer
    init_worker(parent, WRITER_PROCESS_NAME)
    _writer = _Writer(db_url, outlets, config)


@dataclass
class _Matched:
    """An article's dedup results, computed once even when its transaction is retried."""

    fingerprint: Fingerprint
    links: Links
    sketch: Any


def apply_batch(changes: list[Change]) -> list[Stored]:
    """Apply ``changes`` in one transaction; one ``Stored`` per article, in order.

    When the transaction fails for one row's reason (not a store that cannot be
    written), each change is applied in a transaction of its own, so one bad
    article costs only itself. A store that cannot be written raises ``StoreError``.
    """
    assert _writer is not None, "apply_batch runs in the writer process"
    matched: dict[int, _Matched | Stored] = {}
    for number, change in enumerate(changes):
        if isinstance(change, ArticleWrite):
            matched[number] = _match(_writer.matcher, change)
    try:
        return _commit(_writer, changes, matched)
    except Exception as exc:
        _raise_if_unwritable(exc)
        logger.warning("a batch failed (%s): writing its changes one by one", exc)
    results = []
    for number, change in enumerate(changes):
        one = {0: matched[number]} if number in matched else {}
        try:
            results += _commit(_writer, [change], one)
        except Exception as exc:  # one change's problem: the others are written
            _raise_if_unwritable(exc)
            logger.error("cannot store a change of %s: %s", change.outlet, exc)
            if isinstance(change, ArticleWrite):
                results.append(Stored("store_error", error=_first_line(exc)))
    return results


def _match(matcher: Matcher, write: ArticleWrite) -> _Matched | Stored:
    try:
        fingerprint = matcher.fingerprint(write.article.text)
        links = matcher.ingest(write.article.url, write.outlet, fingerprint)
        return _Matched(fingerprint, links, matcher.sketch(fingerprint))
    except Exception as exc:  # one article's problem, counted; the others are stored
        logger.exception("dedup failed on %s", write.article.url)
        return Stored("dedup_error", error=f"{type(exc).__name__}: {_first_line(exc)}")


def _commit(
    writer: _Writer, changes: list[Change], matched: dict[int, _Matched | Stored]
) -> list[Stored]:
    results: list[Stored] = []
    states = _LatestStates()
    with writer.store.session() as session, session.begin():
        for number, change in enumerate(changes):
            if isinstance(change, StateChange):
                states.add(change.outlet, change.inserts, new=True)
                states.add(change.outlet, change.updates, new=False)
                continue
            dedup = matched[number]
            if isinstance(dedup, Stored):
                results.append(dedup)
                continue
            saved = save_article(
                session,
                writer.outlets[change.outlet],
                change.article,
                dedup.fingerprint,
                dedup.links,
                writer.config,
                change.fetched_at,
                sketch=dedup.sketch,
            )
            for row, new in change.states:  # stored and recorded, or neither
                states.add(change.outlet, [row], new)
            results.append(
                Stored(
                    saved.status, saved.new_stories, bool(dedup.links), len(dedup.links.relinked)
                )
            )
        states.write(session)
    return results


class _LatestStates:
    """A batch's crawl-state rows, each URL's last snapshot only: a URL is queued, credited
    and recorded within moments, and one transaction writes what the last one says."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], tuple[UrlState, bool]] = {}

    def add(self, outlet: str, rows: list[UrlState], new: bool) -> None:
        for row in rows:
            earlier = self.rows.get((outlet, row.url))
            self.rows[(outlet, row.url)] = (row, earlier[1] if earlier else new)

    def write(self, session: Any) -> None:
        by_outlet: dict[str, tuple[list[UrlState], list[UrlState]]] = {}
        for (outlet, _), (row, new) in self.rows.items():
            by_outlet.setdefault(outlet, ([], []))[0 if new else 1].append(row)
        for outlet, (inserts, updates) in by_outlet.items():
            write_states(session, outlet, inserts, updates)


def _raise_if_unwritable(exc: Exception) -> None:
    """A store that cannot be written fails every later write too: the crawl must stop."""
    failure = store_failure(exc) if isinstance(exc, SQLAlchemyError) else None
    if failure is not None:
        raise StoreError(str(failure)) from None


def _first_line(exc: Exception) -> str:
    return (str(exc) or type(exc).__name__).splitlines()[0]
