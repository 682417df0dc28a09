"""ExtractionPipeline: a fetched page becomes an Article, or a counted drop with a reason.

Extraction is CPU work (trafilatura and lxml); done in Scrapy's reactor thread
it would stall every download while a page is parsed. It runs in a pool of
worker processes instead (AGGREGATOR_CRAWL_EXTRACT_WORKERS, one per core by
default), so fetching, dedup and storage overlap with it (issue 5, item 8).
A dead worker is replaced (``aggregator.workers``); the page it held is
extracted again, and a page that fails for the crawler's own reasons is
dropped as ``worker_died``, which the crawl state records as an error to
retry, never as a drop (issue 11, item 4).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
from concurrent.futures.process import BrokenProcessPool
from typing import Any, NoReturn

from scrapy.exceptions import DropItem

from aggregator.errors import WorkersDiedError
from aggregator.extract import Extraction, ExtractOptions, extract_page
from aggregator.page import PageItem
from aggregator.urls import in_scope, normalize_url
from aggregator.workers import WorkerPool
from spiders.fatal import stop_crawl

logger = logging.getLogger(__name__)


class ExtractionPipeline:
    def __init__(
        self,
        stats: Any,
        min_words: int,
        workers: int = 0,
        max_chrome_line_words: int | None = None,
        restarts: int = 0,
        crawler: Any = None,
    ) -> None:
        self.stats = stats
        self.min_words = min_words
        self.max_chrome_line_words = max_chrome_line_words
        self.workers = workers
        self.restarts = restarts
        self.crawler = crawler
        self.pool: WorkerPool | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> ExtractionPipeline:
        settings = crawler.settings
        workers = settings.getint("AGGREGATOR_CRAWL_EXTRACT_WORKERS")
        if workers < 0:
            workers = os.cpu_count() or 1
        return cls(
            crawler.stats,
            settings.getint("AGGREGATOR_MIN_ARTICLE_WORDS"),
            workers,
            settings.getint("AGGREGATOR_EXTRACT_MAX_CHROME_LINE_WORDS"),
            settings.getint("AGGREGATOR_CRAWL_WORKER_RESTARTS"),
            crawler,
        )

    def open_spider(self) -> None:
        if self.workers:
            self.pool = WorkerPool(self.workers, self.restarts)

    def close_spider(self) -> None:
        if self.pool is not None:
            self.pool.shutdown()
            self.pool = None

    async def process_item(self, item: PageItem) -> PageItem:
        if item.status >= 400:
            self._drop(item, f"http_{item.status}")
        if not item.html:
            self._drop(item, "not_html", item.content_type)
        options = ExtractOptions(timezone=item.outlet.tzinfo, min_words=self.min_words)
        if self.max_chrome_line_words is not None:
            options = dataclasses.replace(options, max_chrome_line_words=self.max_chrome_line_words)
        try:
            result = await self._extract(item.html, item.url, options)
        except WorkersDiedError as exc:  # the crawler's fault, not the page's: retried next run
            if self.crawler is not None:
                stop_crawl(self.crawler, exc)
            self._drop(item, "worker_died")
        except (
            Exception
        ) as exc:  # a page that breaks the extractor is a counted drop, not a lost one
            logger.error("extraction failed on %s: %s: %s", item.url, type(exc).__name__, exc)
            self._drop(item, "extract_error", type(exc).__name__)
        if result is None:  # its workers died twice on this page: retried next run
            self._drop(item, "worker_died")
        if result.article is None:
            self._drop(item, result.reason or "not_article", result.detail)
        since = item.outlet.since_datetime
        published = result.article.published
        if since and published and published < since:
            self._drop(item, "before_since", published.date().isoformat())
        canonical = result.article.canonical_url
        if canonical and in_scope(canonical, item.outlet):
            item.url = normalize_url(canonical)  # one article, one URL
        item.article = dataclasses.replace(result.article, url=item.url)
        self.stats.inc_value("aggregator/articles/extracted")
        return item

    async def _extract(self, html: str, url: str, options: ExtractOptions) -> Extraction | None:
        """The page's extraction, tried again on new workers when its worker died; None when
        that happened twice. ``WorkersDiedError`` when workers died too often this run."""
        if self.pool is None:
            return extract_page(html, url, options)
        for _ in range(2):
            executor = self.pool.executor
            try:
                return await asyncio.wrap_future(executor.submit(extract_page, html, url, options))
            except BrokenProcessPool:
                self.stats.inc_value("aggregator/workers/died")
                self.pool.replace(executor)
        return None

    def _drop(self, item: PageItem, reason: str, detail: str = "") -> NoReturn:
        item.drop_reason = reason
        self.stats.inc_value(f"aggregator/dropped/{reason}")
        self.stats.inc_value(f"aggregator/outlet/{item.outlet.key}/dropped")
        raise DropItem(f"{reason}: {item.url} {detail}".rstrip(), log_level="INFO")
