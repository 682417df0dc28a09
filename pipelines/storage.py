"""StoragePipeline: one transaction per article (article, fingerprint, links, stories, crawl state);
a run row per crawl; dropped pages recorded in the crawl state with their reason.

A store that cannot be written at all (a full disk, a read-only file, a lost
connection) stops the crawl with exit 3 (issue 11, item 6); pages that failed
for the crawler's own reasons are recorded as errors, retried by the next run.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from typing import Any

from scrapy import signals
from scrapy.exceptions import DropItem
from sqlalchemy.exc import SQLAlchemyError

from aggregator import crawlstate as cs
from aggregator.crawlstate import CrawlState, Fetched
from aggregator.dedup import DedupConfig
from aggregator.ingest import SaveResult, save_article, text_hash
from aggregator.page import PageItem
from aggregator.runs import finish_run, start_run
from aggregator.store import Store
from aggregator.store.engine import store_failure
from aggregator.store.lock import crawl_lock
from spiders.fatal import stop_crawl, stop_if_store_failed, stopped

logger = logging.getLogger(__name__)

# Drops that are the crawler's fault, not the page's: recorded as errors, so the next run retries.
RETRIED = frozenset({"store_error", "worker_died"})


class StoragePipeline:
    def __init__(self, db_url: str, config: DedupConfig, crawler: Any) -> None:
        self.db_url = db_url
        self.config = config
        self.crawler = crawler
        self.store: Store | None = None
        self.run_id: int | None = None
        self.writer: ThreadPoolExecutor | None = None
        self.lock: ExitStack | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> StoragePipeline:
        settings = crawler.settings
        pipeline = cls(settings.get("AGGREGATOR_DB"), DedupConfig.from_settings(settings), crawler)
        # The run row is finished on spider_closed, the first moment the finish reason is known.
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(pipeline.item_dropped, signal=signals.item_dropped)
        return pipeline

    @property
    def state(self) -> CrawlState | None:
        return getattr(self.crawler.spider, "state", None)

    def open_spider(self) -> None:
        # One crawl writes to a store at a time, however it was started (aggregator crawl,
        # scrapy crawl, Scrapyd); under `aggregator crawl` this nests in the CLI's hold.
        self.lock = ExitStack()
        wait = self.crawler.settings.getfloat("AGGREGATOR_LOCK_WAIT")
        self.lock.enter_context(crawl_lock(self.db_url, wait=wait))
        self.writer = ThreadPoolExecutor(1, thread_name_prefix="store-writer")
        self.store = Store(self.db_url)
        self.run_id = start_run(self.store, getattr(self.crawler.spider, "outlets", {}))

    async def process_item(self, item: PageItem) -> PageItem:
        """Store the article in the writer thread: the reactor goes on fetching meanwhile.

        One writer thread keeps the store's writes in order, one transaction each.
        """
        assert self.writer is not None
        stats = self.crawler.stats
        try:
            result = await asyncio.wrap_future(self.writer.submit(self._save, item))
        except SQLAlchemyError as exc:
            stats.inc_value("aggregator/dropped/store_error")
            failure = store_failure(exc)
            if failure is not None:
                stop_crawl(self.crawler, failure)
            else:
                logger.error("cannot store %s: %s", item.url, exc)
            item.drop_reason = "store_error"
            raise DropItem(f"store_error: {item.url}", log_level="INFO") from exc
        stats.inc_value(f"aggregator/articles/{result.status}")
        stats.inc_value(f"aggregator/outlet/{item.outlet.key}/articles_{result.status}")
        stats.inc_value("aggregator/stories/new", result.new_stories)
        return item

    def _save(self, item: PageItem) -> SaveResult:
        assert self.store is not None and item.article is not None and item.fingerprint is not None
        with self.store.session() as session, session.begin():
            result = save_article(
                session,
                item.outlet,
                item.article,
                item.fingerprint,
                item.links,
                self.config,
                item.fetched_at,
                sketch=item.sketch,
            )
            self._record(item, session)  # same transaction: stored and recorded, or neither
        return result

    def _record(self, item: PageItem, session: Any) -> None:
        state = self.state
        if state is None or item.article is None:
            return
        fetched = Fetched(
            cs.STORED,
            kind=cs.ARTICLE,
            http_status=item.status,
            etag=item.header("ETag"),
            last_modified=item.header("Last-Modified"),
            content_hash=text_hash(item.article.text),
            at=item.fetched_at,
        )
        key = item.outlet.key
        for url in dict.fromkeys(u for u in (item.state_url, item.url) if u):
            state.record(key, url, fetched, session)

    def item_dropped(self, item: Any, response: Any, exception: Exception, spider: Any) -> None:
        """A dropped page is done with: its state says why, so the next run leaves it alone."""
        state = self.state
        if state is None or not isinstance(item, PageItem) or not item.state_url:
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
        try:
            state.record(item.outlet.key, item.state_url, fetched)
        except SQLAlchemyError as exc:
            # A full disk met here first stops the crawl like anywhere else (one line, exit 3).
            if not stop_if_store_failed(self.crawler, exc) and not stopped(self.crawler):
                logger.error("cannot record the drop of %s: %s", item.url, exc)

    def close_spider(self) -> None:
        if self.writer is not None:
            self.writer.shutdown(wait=True)  # every article handed over is written
            self.writer = None

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self.store is not None:
            assert self.run_id is not None, "the run row is written when the store opens"
            try:
                finish_run(self.store, self.run_id, self.crawler.stats.get_stats(), reason)
            except SQLAlchemyError as exc:  # the run row stays unfinished, as after a kill
                if not stopped(self.crawler):
                    logger.error("cannot record the end of the run: %s", exc)
            self.store.close()
            self.store = None
        if self.lock is not None:
            self.lock.close()
            self.lock = None
