"""The generic outlet spider: ``scrapy crawl outlet -a outlet=cfr,nknews``.

One spider crawls any number of configured outlets, so every article of a run
goes through one dedup index: a repost on one outlet meets its original on
another within the same run. Discovery logic lives in ``aggregator.discovery``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

import scrapy
from lxml import html
from scrapy.http import Response, TextResponse

from aggregator.config import Outlet, load_config
from aggregator.discovery import (
    NotAFeed,
    NotASitemap,
    announced_feeds,
    feed_entries,
    page_links,
    sitemap_entries,
)
from aggregator.page import PageItem
from aggregator.urls import in_scope, normalize_url, should_follow

_HTML_TYPES = ("text/html", "application/xhtml+xml")


class OutletSpider(scrapy.Spider):
    name = "outlet"

    def __init__(self, outlet: str = "", *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.outlet_keys = [key.strip() for key in outlet.split(",") if key.strip()]
        self.outlets: dict[str, Outlet] = {}
        self.scheduled: dict[str, set[str]] = {}

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> OutletSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        config = load_config(crawler.settings.get("AGGREGATOR_CONFIG"))
        spider.outlets = {o.key: o for o in config.select(spider.outlet_keys)}
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for outlet in self.outlets.values():
            for url in (outlet.url, *outlet.start_urls):
                yield self._request(url, outlet, self.parse_page, discovery=True)
            for url in outlet.feeds:
                yield self._request(url, outlet, self.parse_feed, discovery=True)
            for url in outlet.sitemaps:
                yield self._request(url, outlet, self.parse_sitemap, discovery=True)

    def parse_page(self, response: Response) -> Iterator[PageItem | scrapy.Request]:
        outlet = self.outlets[response.meta["outlet"]]
        content_type = response.headers.get("Content-Type", b"").decode("latin-1").lower()
        is_html = isinstance(response, TextResponse) and (
            any(t in content_type for t in _HTML_TYPES) or not content_type
        )
        yield PageItem(
            url=normalize_url(response.url),
            outlet=outlet,
            status=response.status,
            html=response.text if is_html else "",
            content_type=content_type or "unknown",
            fetched_at=datetime.now(UTC),
            headers={
                k.decode("latin-1"): v[0].decode("latin-1")
                for k, v in response.headers.items()
                if v
            },
        )
        if not is_html or response.status >= 400:
            return
        try:
            tree = html.document_fromstring(response.text)
        except (
            Exception
        ):  # lxml raises several types on hopeless markup; the pipeline counts the page
            return
        if response.meta.get("discovery"):
            for feed in announced_feeds(tree, response.url):
                if in_scope(feed, outlet):
                    yield self._request(feed, outlet, self.parse_feed, discovery=True)
        yield from self._follow(page_links(tree, response.url), outlet)

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        outlet = self.outlets[response.meta["outlet"]]
        try:
            entries = feed_entries(response.body, response.url)
        except NotAFeed as exc:
            self._count_error("feed_not_xml", response.url, str(exc))
            return
        yield from self._follow((entry.url for entry in entries), outlet)

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        outlet = self.outlets[response.meta["outlet"]]
        try:
            entries = sitemap_entries(response.body)
        except NotASitemap as exc:
            self._count_error("sitemap_invalid", response.url, str(exc))
            return
        for entry in entries:
            if entry.is_sitemap:
                yield self._request(entry.url, outlet, self.parse_sitemap, discovery=True)
        yield from self._follow((e.url for e in entries if not e.is_sitemap), outlet)

    def _follow(self, urls: Iterable[str], outlet: Outlet) -> Iterator[scrapy.Request]:
        """Requests for the in-scope page URLs, up to the outlet's per-run page cap."""
        scheduled = self.scheduled.setdefault(outlet.key, set())
        for url in urls:
            if not should_follow(url, outlet):
                continue
            url = normalize_url(url)
            if url not in scheduled:
                if outlet.max_pages and len(scheduled) >= outlet.max_pages:
                    self.crawler.stats.inc_value("aggregator/skipped/max_pages")
                    continue
                scheduled.add(url)
            yield self._request(url, outlet, self.parse_page)

    def _request(
        self, url: str, outlet: Outlet, callback: Any, discovery: bool = False
    ) -> scrapy.Request:
        return scrapy.Request(
            normalize_url(url),
            callback=callback,
            errback=self.on_error,
            meta={"outlet": outlet.key, "discovery": discovery},
            dont_filter=False,
        )

    def on_error(self, failure: Any) -> None:
        request = failure.request
        kind = type(failure.value).__name__
        self._count_error(kind, request.url, str(failure.value))

    def _count_error(self, kind: str, url: str, message: str) -> None:
        self.crawler.stats.inc_value(f"aggregator/errors/{kind}")
        self.logger.warning("%s: %s (%s)", kind, url, message)
