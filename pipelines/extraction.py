"""ExtractionPipeline: a fetched page becomes an Article, or a counted drop with a reason.

The page was read by the spider (``spiders.reader``: one parse in an extraction
worker gives its article and its links); here its extraction is judged: the
drop reasons, the outlet's since-date, the canonical URL the article is stored
under. A page its workers could not read is dropped as ``worker_died``, which
the crawl state records as an error to retry, never as a drop (issue 11, item 4).
"""

from __future__ import annotations

import dataclasses
from typing import Any, NoReturn

from scrapy.exceptions import DropItem

from aggregator.page import PageItem
from aggregator.urls import in_scope, normalize_url


class ExtractionPipeline:
    def __init__(self, stats: Any) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> ExtractionPipeline:
        return cls(crawler.stats)

    def process_item(self, item: PageItem) -> PageItem:
        if item.status >= 400:
            self._drop(item, f"http_{item.status}")
        if not item.html:
            self._drop(item, "not_html", item.content_type)
        result = item.read.extraction if item.read is not None else None
        assert result is not None, "the spider reads every HTML page it yields"
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

    def _drop(self, item: PageItem, reason: str, detail: str = "") -> NoReturn:
        item.drop_reason = reason
        self.stats.inc_value(f"aggregator/dropped/{reason}")
        self.stats.inc_value(f"aggregator/outlet/{item.outlet.key}/dropped")
        raise DropItem(f"{reason}: {item.url} {detail}".rstrip(), log_level="INFO")
