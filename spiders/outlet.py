"""The generic outlet spider: ``scrapy crawl outlet -a outlet=cfr,nknews``.

One spider crawls any number of configured outlets, so every article of a run
goes through one dedup index: a repost on one outlet meets its original on
another within the same run. What is fetched, in which order and why is the
frontier's (``aggregator.frontier``, planned from the store's crawl state, so a
second run fetches only what is new or changed and a killed run resumes); the
spider turns its decisions into requests and the answers into ``Found``
entries (``spiders.sources``) and page items.

robots.txt is fetched once per host (issue 12, item 5): by Scrapy's
RobotsTxtMiddleware when ROBOTSTXT_OBEY is on, whose answer the spider hears
through the ``response_received`` signal and reads for its sitemaps; by the
spider itself only when robots.txt is not obeyed.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, MutableSet
from dataclasses import fields, replace
from datetime import UTC, datetime
from time import monotonic
from typing import Any, TypeVar

import scrapy
from scrapy import signals
from scrapy.http import Response, TextResponse

from aggregator.charsets import decode_html
from aggregator.config import Outlet, load_config
from aggregator.crawlconfig import CrawlConfig
from aggregator.crawlstate import CrawlState
from aggregator.errors import DiscoveryError
from aggregator.frontier import Answer, Fetch, Frontier
from aggregator.page import PageItem
from aggregator.sites import Site, site_for
from aggregator.urls import normalize_url
from spiders.crawlrun import CrawlRun
from spiders.headers import header
from spiders.politeness import configure_politeness
from spiders.reader import PageReader
from spiders.scope import RefusedRequest
from spiders.sources import (
    answer_of,
    api_found,
    api_total_pages,
    feed_found,
    robots_found,
    sitemap_found,
)

_HTML_TYPES = ("text/html", "application/xhtml+xml")
# A fetch travels in its request's meta, one key per field (the URL as "state_url").
_META = tuple(f.name for f in fields(Fetch) if f.name not in ("url", "priority", "headers"))
T = TypeVar("T")


class OutletSpider(scrapy.Spider):
    name = "outlet"
    # Set when the crawl starts, from the crawl state its owner (spiders.crawlrun) loaded.
    frontier: Frontier
    reader: PageReader  # the extraction workers, open while the spider is

    def __init__(
        self,
        outlet: str = "",
        refresh: str | bool = False,
        crawl_config: CrawlConfig | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.outlet_keys = [key.strip() for key in outlet.split(",") if key.strip()]
        # Built once: by the CLI (validated before the crawl starts) or here, from the settings.
        config = crawl_config or CrawlConfig()
        self.config = replace(
            config, refresh=config.refresh or refresh in (True, "1", "true", "yes")
        )
        self.outlets: dict[str, Outlet] = {}
        self.sites: dict[str, Site] = {}

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> OutletSpider:
        settings = crawler.settings
        crawl_config = kwargs.pop("crawl_config", None) or CrawlConfig.from_settings(settings)
        spider = super().from_crawler(crawler, *args, crawl_config=crawl_config, **kwargs)
        outlets = load_config(spider.config.config).select(spider.outlet_keys)
        spider.outlets = {o.key: o for o in outlets}
        spider.sites = {key: site_for(o) for key, o in spider.outlets.items()}
        configure_politeness(settings, spider.outlets.values())  # before Scrapy freezes them
        if settings.getbool("ROBOTSTXT_OBEY"):  # RobotsTxtMiddleware fetches robots.txt: listen
            crawler.signals.connect(spider.robots_answered, signal=signals.response_received)
        spider.reader = PageReader.from_crawler(crawler)
        crawler.signals.connect(spider.reader.open, signal=signals.spider_opened)
        crawler.signals.connect(spider.reader.close, signal=signals.spider_closed)
        return spider

    def plan_with(self, state: CrawlState, awaiting: MutableSet[str] | None = None) -> None:
        """Plan this run from ``state``; Scrapy builds the spider before the extension that
        owns the crawl state, so this happens when the crawl starts (or in a test).
        ``awaiting``: the sources' unanswered first pages, when workers share them."""
        fetch_robots = not self.crawler.settings.getbool("ROBOTSTXT_OBEY")
        self.frontier = Frontier(
            self.config, self.outlets, self.sites, state, self, fetch_robots, awaiting
        )

    async def start(self) -> AsyncIterator[scrapy.Request]:
        """Resumed URLs and the newest-first sources (REST API, feeds, sitemaps) first; archive
        pages once those sources' first pages are answered, so articles are credited to them."""
        self.plan_with(CrawlRun.of(self.crawler).state)
        for key in self.outlets:
            for fetch in self.frontier.resume(key) + self.frontier.discovery(key):
                yield self.request(fetch)
        deadline = monotonic() + self.config.sources_wait
        while self.frontier.sources_pending and monotonic() < deadline:
            await asyncio.sleep(0.05)
        for key in self.outlets:
            for fetch in self.frontier.archive(key):
                yield self.request(fetch)

    # Decisions to requests, answers to decisions.

    def request(self, fetch: Fetch) -> scrapy.Request:
        """The request for a frontier's decision; what it decided anew passes the dupefilter."""
        return scrapy.Request(
            fetch.url,
            callback=getattr(self, f"parse_{fetch.reader}"),
            errback=self.on_error,
            headers=dict(fetch.headers),
            priority=fetch.priority,
            # Fetched again on purpose (a re-read, a resume, a change): no dupefilter that
            # remembers earlier runs may swallow it. Redirect hops inherit this.
            dont_filter=fetch.again,
            meta={
                **{name: getattr(fetch, name) for name in _META},
                "state_url": fetch.url,
                # Answers for the callback, not errors: a 304, and a page that is gone.
                "handle_httpstatus_list": [304, 404, 410] if fetch.reader == "page" else [304],
                "dont_obey_robotstxt": fetch.kind == "robots",
            },
        )

    def requests(self, fetches: Iterable[Fetch]) -> Iterator[scrapy.Request]:
        return (self.request(fetch) for fetch in fetches)

    @staticmethod
    def fetch(meta: dict[str, Any]) -> Fetch:
        """The frontier's decision a request was made from."""
        return Fetch(meta["state_url"], **{name: meta[name] for name in _META})

    # Pages: articles and archive pages.

    async def parse_page(self, response: Response) -> AsyncIterator[PageItem | scrapy.Request]:
        """The page's item, read (its extraction and links, ``spiders.reader``), and requests
        for its links: planned, so queued in the crawl state, before the item may be dropped
        and recorded with its validators (a 304 later must have nothing new to give)."""
        fetch = self.fetch(response.meta)
        if not self.frontier.page_answered(fetch, answer_of(response)):
            return
        content_type = (header(response, "Content-Type") or "").lower()
        is_html = any(t in content_type for t in _HTML_TYPES) or (
            not content_type and isinstance(response, TextResponse)
        )
        text = self._text(fetch.outlet, response) if is_html else ""
        item = PageItem(
            url=normalize_url(response.url),
            outlet=self.outlets[fetch.outlet],
            status=response.status,
            html=text,
            content_type=content_type or "unknown",
            fetched_at=datetime.now(UTC),
            headers={
                k.decode("latin-1"): v[0].decode("latin-1")
                for k, v in response.headers.items()
                if v
            },
            state_url=fetch.url,
            found_via=fetch.found_via,
        )
        requests: list[scrapy.Request] = []
        if text and response.status < 400:
            item.read = read = await self.reader.read(item, response.url, self.sites[fetch.outlet])
            feeds = self.frontier.announced_feeds(fetch, read.feeds)
            links = self.frontier.links(fetch, read.links, read.nexts)
            requests = list(self.requests(feeds + links))
        yield item
        for request in requests:
            yield request

    def _text(self, key: str, response: Response) -> str:
        """The page's text, surviving a missing or wrong charset (counted, with the URL)."""
        charset = (header(response, "Content-Type") or "").partition("charset=")[2]
        declared = charset.split(";")[0].strip() or None
        text, problem = decode_html(response.body, declared)
        if problem:
            self.fault(key, problem, response.url, f"declared {declared or 'nothing'}")
        return text

    # Sources: robots.txt, the WordPress REST API, feeds, sitemaps.

    def parse_api(self, response: Response) -> Iterator[scrapy.Request]:
        fetch, answer = self.fetch(response.meta), answer_of(response)
        found = self._read(fetch, answer, lambda: api_found(response))
        if found is not None:
            total = api_total_pages(response)
            yield from self.requests(self.frontier.api_read(fetch, answer, found, total))

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        fetch, answer = self.fetch(response.meta), answer_of(response)
        found = self._read(fetch, answer, lambda: feed_found(response))
        if found is not None:
            yield from self.requests(self.frontier.feed_read(fetch, answer, found))

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        fetch, answer = self.fetch(response.meta), answer_of(response)
        limit = self.config.sitemap_max_bytes
        read = self._read(fetch, answer, lambda: sitemap_found(response, limit))
        if read is not None:
            children, found = read
            yield from self.requests(self.frontier.sitemap_read(fetch, answer, children, found))

    def _read(self, fetch: Fetch, answer: Answer, entries: Callable[[], T]) -> T | None:
        """A source's entries; None when it answered 304 or is unreadable (recorded so)."""
        if not self.frontier.source_answered(fetch, answer):
            return None
        try:
            return entries()
        except DiscoveryError as exc:
            self.frontier.source_failed(fetch, answer, exc.kind, str(exc))
            return None

    def parse_robots(self, response: Response) -> Iterator[scrapy.Request]:
        fetch, answer = self.fetch(response.meta), answer_of(response)
        sitemaps = robots_found(response)
        yield from self.requests(self.frontier.robots_read(fetch, answer, sitemaps))

    def robots_answered(self, response: Response, request: scrapy.Request) -> None:
        """``response_received``: RobotsTxtMiddleware's robots.txt answer, read for its sitemaps.

        Its request has no callback, so the spider never sees it otherwise.
        """
        if not request.meta.get("dont_obey_robotstxt"):
            return
        url = (request.meta.get("redirect_urls") or [request.url])[0]
        fetch = self.frontier.robots_fetched(url)
        if fetch is None:
            return
        sitemaps = robots_found(response)
        for fetched in self.frontier.robots_read(fetch, answer_of(response), sitemaps):
            self.crawler.engine.crawl(self.request(fetched))

    # Errors and counting.

    def on_error(self, failure: Any) -> None:
        """Record a failed request; Scrapy does not pass an errback's own errors to middlewares."""
        fetch = self.fetch(failure.request.meta)
        if isinstance(failure.value, RefusedRequest):  # counted by spiders.scope
            self.frontier.refused(fetch, failure.value.reason)
            return
        response = getattr(failure.value, "response", None)
        status = response.status if response is not None else None
        self.frontier.failed(fetch, type(failure.value).__name__, str(failure.value), status)

    def fault(self, key: str, kind: str, url: str, message: str) -> None:
        """Count an error of ``kind`` (overall and for the outlet) and log it with its URL."""
        self.crawler.stats.inc_value(f"aggregator/errors/{kind}")
        self.count(key, "errors")
        self.logger.warning("%s: %s (%s)", kind, url, message.splitlines()[0] if message else "")

    def count(self, key: str, name: str, value: int = 1) -> None:
        stats = self.crawler.stats
        stats.inc_value(f"aggregator/outlet/{key}/{name}", value)
        if name.startswith("discovered/"):
            stats.inc_value(f"aggregator/{name}", value)
        elif name in ("skipped", "skipped_max_pages", "skipped_robots", "not_modified"):
            stats.inc_value(f"aggregator/pages/{name}", value)
