"""PageReader: each fetched HTML page is read once, in an extraction worker, for its article and
the links the crawl follows (``aggregator.page.read_page``).

Reading is CPU work (lxml and trafilatura); done in Scrapy's reactor thread it
would stall every download while a page is parsed. It runs in a pool of worker
processes instead (AGGREGATOR_CRAWL_EXTRACT_WORKERS, one per core by default),
so fetching, dedup and storage overlap with it (issue 5, item 8). The spider
awaits the read before it yields the page's item and requests, so its links go
through Scrapy's spider middlewares as any callback's output does, and the
extraction pipeline gets the page's extraction with the item (issue 12, item 7:
the page was parsed twice, once in the crawl process for its links).

A dead worker is replaced (``aggregator.workers``); the page it held is read
again, and a page that fails for the crawler's own reasons is read as
``worker_died``, which the crawl state records as an error to retry, never as
a drop (issue 11, item 4).
"""

from __future__ import annotations

import dataclasses
import logging
import os
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from aggregator.errors import WorkersDiedError
from aggregator.extract import Extraction, ExtractOptions
from aggregator.page import PageItem, PageRead, read_page
from aggregator.sites import Site
from aggregator.workers import WorkerPool
from spiders.fatal import stop_crawl

logger = logging.getLogger(__name__)

WORKER_DIED = "worker_died"
EXTRACT_ERROR = "extract_error"


class PageReader:
    """The crawl's extraction workers (none: pages are read in the reactor thread)."""

    def __init__(
        self,
        min_words: int,
        workers: int = 0,
        max_chrome_line_words: int | None = None,
        restarts: int = 0,
        crawler: Any = None,
    ) -> None:
        self.min_words = min_words
        self.max_chrome_line_words = max_chrome_line_words
        self.workers = workers
        self.restarts = restarts
        self.crawler = crawler
        self.pool: WorkerPool | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> PageReader:
        settings = crawler.settings
        workers = settings.getint("AGGREGATOR_CRAWL_EXTRACT_WORKERS")
        if workers < 0:
            workers = os.cpu_count() or 1
        return cls(
            settings.getint("AGGREGATOR_MIN_ARTICLE_WORDS"),
            workers,
            settings.getint("AGGREGATOR_EXTRACT_MAX_CHROME_LINE_WORDS"),
            settings.getint("AGGREGATOR_CRAWL_WORKER_RESTARTS"),
            crawler,
        )

    def open(self) -> None:
        if self.workers:
            self.pool = WorkerPool(self.workers, self.restarts)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown()
            self.pool = None

    async def read(self, item: PageItem, base_url: str, site: Site) -> PageRead:
        """The page's extraction and links; a page that breaks the extractor, or whose
        workers died, reads as a drop reason (``extract_error``, ``worker_died``)."""
        options = ExtractOptions(timezone=item.outlet.tzinfo, min_words=self.min_words)
        if self.max_chrome_line_words is not None:
            options = dataclasses.replace(options, max_chrome_line_words=self.max_chrome_line_words)
        args = (item.html, item.url, base_url, options, site)
        try:
            read = await self._read(*args)
        except WorkersDiedError as exc:  # the crawler's fault, not the page's: retried next run
            if self.crawler is not None:
                stop_crawl(self.crawler, exc)
            read = None
        except Exception as exc:  # a page that breaks the reader is a counted drop, not a lost one
            read = PageRead(None, error=(type(exc).__name__, str(exc)))
        if read is None:  # its workers died twice on this page: retried next run
            return PageRead(Extraction(None, WORKER_DIED))
        if read.error is not None:
            kind, message = read.error
            logger.error("extraction failed on %s: %s: %s", item.url, kind, message)
            return dataclasses.replace(read, extraction=Extraction(None, EXTRACT_ERROR, kind))
        return read

    async def _read(self, *args: Any) -> PageRead | None:
        """``read_page``, tried again on new workers when its worker died; None when that
        happened twice. ``WorkersDiedError`` when workers died too often this run."""
        if self.pool is None:
            return read_page(*args)
        for _ in range(2):
            try:
                read: PageRead = await self.pool.run(read_page, *args)
                return read
            except BrokenProcessPool:  # the pool started another worker, or says it may not
                if self.crawler is not None:
                    self.crawler.stats.inc_value("aggregator/workers/died")
        return None
