"""DedupPipeline: fingerprint the article and find the stored articles it reposts or is reposted by.

The matcher is built from the store's fingerprints when the spider opens and
keeps a bounded cache of them; it reads the others from the store when a
candidate needs verifying. ``item.links`` is a ``dedup.Links``: the storage
pipeline writes its ``relinked`` articles' links in the same transaction.
"""

from __future__ import annotations

from typing import Any

from aggregator.dedup import DedupConfig, Matcher
from aggregator.ingest import load_matcher
from aggregator.page import PageItem
from aggregator.store import Store


class DedupPipeline:
    def __init__(self, db_url: str, config: DedupConfig, stats: Any) -> None:
        self.db_url = db_url
        self.config = config
        self.stats = stats
        self.store: Store | None = None
        self.matcher: Matcher | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> DedupPipeline:
        settings = crawler.settings
        return cls(
            settings.get("AGGREGATOR_DB"), DedupConfig.from_settings(settings), crawler.stats
        )

    def open_spider(self) -> None:
        self.store = Store(self.db_url)
        self.matcher = load_matcher(self.store, self.config)

    def close_spider(self) -> None:
        if self.store is not None:
            self.store.close()
        self.store = self.matcher = None

    def process_item(self, item: PageItem) -> PageItem:
        assert self.matcher is not None and item.article is not None
        item.fingerprint = self.matcher.fingerprint(item.article.text)
        item.links = self.matcher.ingest(item.url, item.outlet.key, item.fingerprint)
        item.sketch = self.matcher.sketch(item.fingerprint)  # made while indexing; stored with it
        if item.links:
            self.stats.inc_value("aggregator/dedup/linked")
        if item.links.relinked:
            self.stats.inc_value("aggregator/dedup/relinked", len(item.links.relinked))
        return item
