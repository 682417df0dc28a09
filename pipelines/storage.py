"""StoragePipeline: each extracted article goes to the crawl's store writer, which fingerprints
it, assigns its story and stores it with its URLs' crawl state in one transaction; dropped
pages are recorded in the crawl state with their reason.

The writer is a process of its own (``aggregator.storewriter``, owned by
``spiders.crawlrun.CrawlRun``): nothing here touches the database. A store that
cannot be written (a full disk, a read-only file, a lost connection) stops the
crawl with exit 3, a writer that died with exit 8 (issue 11, item 6; issue 12,
item 3); pages that failed for the crawler's own reasons are recorded as
errors, retried by the next run.

On a cluster worker (issue 15) the writer is the story writer's Redis Stream
(``aggregator.stream.producer``): an article is counted ``queued`` once pushed,
and a Redis that cannot be reached stops the crawl with exit 9.
"""

from __future__ import annotations

import logging
from typing import Any, NoReturn, Protocol

from scrapy import signals
from scrapy.exceptions import DropItem

from aggregator import crawlstate as cs
from aggregator.crawlstate import CrawlState, Fetched
from aggregator.errors import ClusterError, StoreError, WriterDiedError
from aggregator.ingest import text_hash
from aggregator.page import PageItem
from aggregator.storewriter import ArticleWrite, Stored
from spiders.crawlrun import CrawlRun
from spiders.fatal import stop_crawl

logger = logging.getLogger(__name__)

# Drops that are the crawler's fault, not the page's: recorded as errors, so the next run retries.
RETRIED = frozenset({"store_error", "worker_died", "dedup_error"})


class ArticleWrites(Protocol):
    """The crawl's writer: the store writer process, or a cluster worker's stream."""

    async def store(self, write: ArticleWrite) -> Stored: ...


class StoragePipeline:
    def __init__(self, state: CrawlState, writer: ArticleWrites, crawler: Any) -> None:
        self.state = state
        self.writer = writer
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> StoragePipeline:
        run = CrawlRun.of(crawler)
        pipeline = cls(run.state, run.writer, crawler)
        crawler.signals.connect(pipeline.item_dropped, signal=signals.item_dropped)
        return pipeline

    async def process_item(self, item: PageItem) -> PageItem:
        """Hand the article to the writer and wait for its transaction: the reactor goes on
        fetching meanwhile, and a page's item holds its place in Scrapy's scraper until then."""
        assert item.article is not None
        stats = self.crawler.stats
        key, fetched = item.outlet.key, self._stored(item)
        urls = dict.fromkeys(u for u in (item.state_url, item.url) if u)
        rows = [self.state.preview(key, url, fetched) for url in urls]
        write = ArticleWrite(key, item.article, item.fetched_at, rows)
        try:
            result = await self.writer.store(write)
        except (StoreError, WriterDiedError, ClusterError) as exc:  # no write can succeed
            stop_crawl(self.crawler, exc)
            self._drop(item, "store_error")
        except Exception:  # a failed batch, logged by the writer: retried by the next run
            self._drop(item, "store_error")
        if result.error is not None:
            logger.error("cannot store %s: %s", item.url, result.error)
            self._drop(item, result.status)
        for url in urls:  # committed: the crawl's later snapshots of these URLs say stored
            self.state.apply(key, url, fetched)
        stats.inc_value(f"aggregator/articles/{result.status}")
        stats.inc_value(f"aggregator/outlet/{item.outlet.key}/articles_{result.status}")
        stats.inc_value("aggregator/stories/new", result.new_stories)
        if result.linked:
            stats.inc_value("aggregator/dedup/linked")
        if result.relinked:
            stats.inc_value("aggregator/dedup/relinked", result.relinked)
        return item

    def _stored(self, item: PageItem) -> Fetched:
        """What the page's URLs (as queued, and as stored) become: written by the writer with
        the article, and applied in memory once that transaction committed."""
        assert item.article is not None
        return Fetched(
            cs.STORED,
            kind=cs.ARTICLE,
            http_status=item.status,
            etag=item.header("ETag"),
            last_modified=item.header("Last-Modified"),
            content_hash=text_hash(item.article.text),
            at=item.fetched_at,
        )

    def _drop(self, item: PageItem, reason: str) -> NoReturn:
        item.drop_reason = reason
        self.crawler.stats.inc_value(f"aggregator/dropped/{reason}")
        raise DropItem(f"{reason}: {item.url}", log_level="INFO")

    def item_dropped(self, item: Any, response: Any, exception: Exception, spider: Any) -> None:
        """A dropped page is done with: its state says why, so the next run leaves it alone."""
        if not isinstance(item, PageItem) or not item.state_url:
            return
        reason = item.drop_reason or "dropped"
        fetched = Fetched(
            cs.ERROR if reason in RETRIED else cs.DROPPED,
            kind=cs.LISTING if reason == "listing" else cs.PAGE,
            http_status=item.status,
            detail=reason,
            etag=item.header("ETag"),
            last_modified=item.header("Last-Modified"),
            at=item.fetched_at,
        )
        self.state.record(item.outlet.key, item.state_url, fetched)
