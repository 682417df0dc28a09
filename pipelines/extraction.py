"""ExtractionPipeline: a fetched page becomes an Article, or a counted drop with a reason.

Extraction is CPU work (trafilatura and lxml); done in Scrapy's reactor thread
it would stall every download while a page is parsed. It runs in a pool of
worker processes instead (AGGREGATOR_CRAWL_EXTRACT_WORKERS, one per core by
default), so fetching, dedup and storage overlap with it (issue 5, item 8).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import multiprocessing
import os
import signal
from concurrent.futures import ProcessPoolExecutor
from typing import Any, NoReturn

from scrapy.exceptions import DropItem

from aggregator.extract import Extraction, ExtractOptions, extract_page
from aggregator.page import PageItem
from aggregator.urls import in_scope, normalize_url

logger = logging.getLogger(__name__)


class ExtractionPipeline:
    def __init__(
        self, stats: Any, min_words: int, workers: int = 0, max_chrome_line_words: int | None = None
    ) -> None:
        self.stats = stats
        self.min_words = min_words
        self.max_chrome_line_words = max_chrome_line_words
        self.workers = workers
        self.pool: ProcessPoolExecutor | None = None

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
        )

    def open_spider(self) -> None:
        if self.workers:
            # spawn, not fork: the crawl process has threads (the store, Twisted's pool).
            self.pool = ProcessPoolExecutor(
                self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_ignore_interrupts,
            )

    def close_spider(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
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
        except (
            Exception
        ) as exc:  # a page that breaks the extractor is a counted drop, not a lost one
            logger.error("extraction failed on %s: %s: %s", item.url, type(exc).__name__, exc)
            self._drop(item, "extract_error", type(exc).__name__)
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

    async def _extract(self, html: str, url: str, options: ExtractOptions) -> Extraction:
        if self.pool is None:
            return extract_page(html, url, options)
        return await asyncio.wrap_future(self.pool.submit(extract_page, html, url, options))

    def _drop(self, item: PageItem, reason: str, detail: str = "") -> NoReturn:
        item.drop_reason = reason
        self.stats.inc_value(f"aggregator/dropped/{reason}")
        self.stats.inc_value(f"aggregator/outlet/{item.outlet.key}/dropped")
        raise DropItem(f"{reason}: {item.url} {detail}".rstrip(), log_level="INFO")


def _ignore_interrupts() -> None:
    """Ctrl-C reaches the whole process group: the crawl shuts down gracefully, workers carry on."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
