"""ExtractionPipeline: a fetched page becomes an Article, or a counted drop with a reason."""

from __future__ import annotations

import dataclasses
from typing import Any

from scrapy.exceptions import DropItem

from aggregator.extract import ExtractOptions, extract_page
from aggregator.page import PageItem
from aggregator.urls import in_scope, normalize_url


class ExtractionPipeline:
    def __init__(self, stats: Any, min_words: int) -> None:
        self.stats = stats
        self.min_words = min_words

    @classmethod
    def from_crawler(cls, crawler: Any) -> ExtractionPipeline:
        return cls(crawler.stats, crawler.settings.getint("AGGREGATOR_MIN_ARTICLE_WORDS"))

    def process_item(self, item: PageItem) -> PageItem:
        if item.status >= 400:
            self._drop(item, f"http_{item.status}")
        if not item.html:
            self._drop(item, "not_html", item.content_type)
        options = ExtractOptions(timezone=item.outlet.tzinfo, min_words=self.min_words)
        result = extract_page(item.html, item.url, options)
        if result.article is None:
            self._drop(item, result.reason or "not_article", result.detail)
        canonical = result.article.canonical_url
        if canonical and in_scope(canonical, item.outlet):
            item.url = normalize_url(canonical)  # one article, one URL
        item.article = dataclasses.replace(result.article, url=item.url)
        self.stats.inc_value("aggregator/articles/extracted")
        return item

    def _drop(self, item: PageItem, reason: str, detail: str = "") -> None:
        self.stats.inc_value(f"aggregator/dropped/{reason}")
        raise DropItem(f"{reason}: {item.url} {detail}".rstrip(), log_level="INFO")
