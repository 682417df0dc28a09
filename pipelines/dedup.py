"""DedupPipeline: fingerprint the article and find the stored articles it reposts or is reposted by."""

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
        self.matcher: Matcher | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> DedupPipeline:
        settings = crawler.settings
        return cls(
            settings.get("AGGREGATOR_DB"), DedupConfig.from_settings(settings), crawler.stats
        )

    def open_spider(self) -> None:
        with Store(self.db_url) as store:
            self.matcher = load_matcher(store, self.config)

    def process_item(self, item: PageItem) -> PageItem:
        assert self.matcher is not None and item.article is not None
        key, outlet = item.url, item.outlet.key
        item.fingerprint = self.matcher.fingerprint(item.article.text)
        item.links = self.matcher.links(key, outlet, item.fingerprint)
        self.matcher.add(key, outlet, item.fingerprint)
        if item.links:
            self.stats.inc_value("aggregator/dedup/linked")
        return item
