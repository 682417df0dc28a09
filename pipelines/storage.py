"""StoragePipeline: one transaction per article (article, fingerprint, links, stories); a run row per crawl."""

from __future__ import annotations

import logging
from typing import Any

from scrapy import signals
from scrapy.exceptions import DropItem
from sqlalchemy.exc import SQLAlchemyError

from aggregator.dedup import DedupConfig
from aggregator.ingest import save_article
from aggregator.page import PageItem
from aggregator.runs import finish_run, start_run
from aggregator.store import Store

logger = logging.getLogger(__name__)


class StoragePipeline:
    def __init__(self, db_url: str, config: DedupConfig, crawler: Any) -> None:
        self.db_url = db_url
        self.config = config
        self.crawler = crawler
        self.store: Store | None = None
        self.run_id: int | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> StoragePipeline:
        settings = crawler.settings
        pipeline = cls(settings.get("AGGREGATOR_DB"), DedupConfig.from_settings(settings), crawler)
        # The run row is finished on spider_closed, the first moment the finish reason is known.
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self) -> None:
        self.store = Store(self.db_url)
        self.run_id = start_run(self.store, getattr(self.crawler.spider, "outlets", {}))

    def process_item(self, item: PageItem) -> PageItem:
        assert self.store is not None and item.article is not None and item.fingerprint is not None
        stats = self.crawler.stats
        try:
            with self.store.session() as session, session.begin():
                result = save_article(
                    session,
                    item.outlet,
                    item.article,
                    item.fingerprint,
                    item.links,
                    self.config,
                    item.fetched_at,
                )
        except SQLAlchemyError as exc:
            stats.inc_value("aggregator/dropped/store_error")
            logger.error("cannot store %s: %s", item.url, exc)
            raise DropItem(f"store_error: {item.url}") from exc
        stats.inc_value(f"aggregator/articles/{result.status}")
        stats.inc_value("aggregator/stories/new", result.new_stories)
        return item

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self.store is None:
            return
        finish_run(self.store, self.run_id, self.crawler.stats.get_stats(), reason)
        self.store.close()
        self.store = None
