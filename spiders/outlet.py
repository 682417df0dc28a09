"""The generic outlet spider: ``scrapy crawl outlet -a outlet=cfr,nknews``.

One spider crawls any number of configured outlets, so every article of a run
goes through one dedup index: a repost on one outlet meets its original on
another within the same run. Discovery (robots.txt sitemaps, the WordPress
REST API, feeds, sitemaps, archive pages) runs newest first by request
priority; what to fetch is decided by ``aggregator.crawlstate`` from the
store's crawl state, so a second run fetches only what is new or changed and
a killed run resumes. Parsing lives in ``aggregator.discovery`` and
``spiders.sitemaps``; the source callbacks are in ``spiders.sources``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, datetime
from time import monotonic
from typing import Any

import scrapy
from lxml import etree
from scrapy import signals
from scrapy.http import Response, TextResponse
from sqlalchemy.exc import SQLAlchemyError

from aggregator import crawlstate as cs
from aggregator.charsets import decode_html
from aggregator.config import Outlet, load_config
from aggregator.crawlconfig import CrawlConfig
from aggregator.crawlstate import CrawlState, Fetched, Found
from aggregator.discovery import announced_feeds, page_links
from aggregator.extract.bodies import parse_html
from aggregator.faults import error_kind
from aggregator.page import PageItem
from aggregator.sites import Site, site_for
from aggregator.urls import normalize_url, should_follow
from spiders.crawlrun import CrawlRun
from spiders.fatal import stop_if_store_failed
from spiders.headers import header
from spiders.politeness import configure_politeness
from spiders.scope import RefusedRequest
from spiders.sources import SourcesMixin

_HTML_TYPES = ("text/html", "application/xhtml+xml")
_FETCH = (cs.NEW, cs.RESUME, cs.RETRY, cs.CHANGED, cs.REFRESH)
_FRESH = (cs.NEW, cs.CHANGED, cs.RESUME)
_CALLBACKS = {"feed": "parse_feed", "api": "parse_api", "sitemap": "parse_sitemap"}


class OutletSpider(SourcesMixin, scrapy.Spider):
    name = "outlet"

    def __init__(
        self,
        outlet: str = "",
        refresh: str | bool = False,
        crawl_config: CrawlConfig | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.outlet_keys = [key.strip() for key in outlet.split(",") if key.strip()]
        self.refresh = refresh in (True, "1", "true", "yes")
        # Built once: by the CLI (validated before the crawl starts) or here, from the settings.
        self.config = crawl_config or CrawlConfig()
        self.outlets: dict[str, Outlet] = {}
        self.sites: dict[str, Site] = {}
        self.state: CrawlState | None = None
        self.scheduled: dict[str, set[str]] = {}  # page URLs requested this run, per outlet
        self.sources: set[str] = set()  # discovery URLs requested this run
        self.awaiting: set[str] = set()  # first pages of sources not answered yet
        self.news: dict[str, set[str]] = {}  # URLs new, changed or resumed this run, per outlet
        self.listed: dict[tuple[str, str], set[str]] = {}  # URLs each paged source listed
        self.link_memo: dict[str, dict[str, str | None]] = {}  # raw link -> normalised or None
        self.over_sitemap_budget: set[str] = set()  # outlets told they read too many sitemaps

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> OutletSpider:
        settings = crawler.settings
        crawl_config = kwargs.pop("crawl_config", None) or CrawlConfig.from_settings(settings)
        spider = super().from_crawler(crawler, *args, crawl_config=crawl_config, **kwargs)
        outlets = load_config(spider.config.config).select(spider.outlet_keys)
        spider.outlets = {o.key: o for o in outlets}
        spider.sites = {key: site_for(o) for key, o in spider.outlets.items()}
        spider.refresh = spider.refresh or spider.config.refresh
        configure_politeness(settings, spider.outlets.values())  # before Scrapy freezes them
        if settings.getbool("ROBOTSTXT_OBEY"):  # RobotsTxtMiddleware fetches robots.txt: listen
            crawler.signals.connect(spider.robots_answered, signal=signals.response_received)
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        """Resumed URLs and the newest-first sources (REST API, feeds, sitemaps) first; archive
        pages once those sources' first pages are answered, so articles are credited to them."""
        # The crawl state belongs to the crawl's owner, built after the spider (an extension).
        self.state = CrawlRun.of(self.crawler).state
        for outlet in self.outlets.values():
            for request in self.resume(outlet):
                yield request
            for request in self.discovery_requests(outlet):
                yield request
        await self.sources_answered(self.config.sources_wait)
        for outlet in self.outlets.values():
            for request in self.archive_requests(outlet):
                yield request

    async def sources_answered(self, timeout: float) -> None:
        deadline = monotonic() + timeout
        while self.awaiting and monotonic() < deadline:
            await asyncio.sleep(0.05)

    def archive_requests(self, outlet: Outlet) -> list[scrapy.Request]:
        """The home page, start pages, and the first archive pages read before."""
        assert self.state is not None
        starts = [
            Found(normalize_url(u), cs.CONFIG, cs.LISTING) for u in (outlet.url, *outlet.start_urls)
        ]
        site = self.sites[outlet.key]
        rereads = [
            Found(s.url, s.found_via, cs.LISTING)
            for s in self.state.rereads(outlet.key)
            if not site.is_pagination(s.url)
        ]
        return self._pages(outlet, starts + rereads)

    def resume(self, outlet: Outlet) -> list[scrapy.Request]:
        """What an earlier run queued but never finished (it was stopped or killed), first."""
        assert self.state is not None
        pages, requests = [], []
        for known in self.state.unfinished(outlet.key):
            if known.kind in _CALLBACKS:
                callback = getattr(self, _CALLBACKS[known.kind])
                source, page = self.source_page(outlet, known.kind, known.url)
                if page == 1 and known.kind in ("api", "feed"):
                    continue  # first pages of feeds and APIs are read every run anyway
                requests.append(
                    self.source_request(
                        outlet,
                        known.url,
                        known.kind,
                        callback,
                        known.found_via,
                        page,
                        source=source,
                    )
                )
            elif known.kind != "robots" and should_follow(known.url, outlet):
                pages.append(Found(known.url, known.found_via, known.kind))
        self.count(outlet, "resumed", len(pages))
        self.news.setdefault(outlet.key, set()).update(f.url for f in pages)
        return requests + self._pages(outlet, pages)

    # Pages: articles and archive pages.

    def parse_page(self, response: Response) -> Iterator[PageItem | scrapy.Request]:
        outlet = self.outlets[response.meta["outlet"]]
        self.count(outlet, "pages")
        if response.status == 304:
            self.not_modified(outlet, response)
            return
        content_type = (header(response, "Content-Type") or "").lower()
        is_html = any(t in content_type for t in _HTML_TYPES) or (
            not content_type and isinstance(response, TextResponse)
        )
        text = self._text(outlet, response) if is_html else ""
        yield PageItem(
            url=normalize_url(response.url),
            outlet=outlet,
            status=response.status,
            html=text,
            content_type=content_type or "unknown",
            fetched_at=datetime.now(UTC),
            headers={
                k.decode("latin-1"): v[0].decode("latin-1")
                for k, v in response.headers.items()
                if v
            },
            state_url=response.meta["state_url"],
            found_via=response.meta["found_via"],
        )
        if not text or response.status >= 400:
            return
        try:
            tree = parse_html(text)
        except (etree.ParserError, ValueError):
            return  # the extraction pipeline counts the page
        if response.meta["found_via"] == cs.CONFIG:
            assert self.state is not None
            feeds = [
                f
                for f in announced_feeds(tree, response.url)
                if should_follow(f, outlet)
                and not cs.refused(self.state.get(outlet.key, normalize_url(f)))
            ]
            for feed in feeds:
                yield self.source_request(outlet, feed, "feed", self.parse_feed, cs.FEED)
        yield from self._follow(outlet, tree, response)

    def _text(self, outlet: Outlet, response: Response) -> str:
        """The page's text, surviving a missing or wrong charset (counted, with the URL)."""
        charset = (header(response, "Content-Type") or "").partition("charset=")[2]
        declared = charset.split(";")[0].strip() or None
        text, problem = decode_html(response.body, declared)
        if problem:
            self.fault(outlet, problem, response.url, f"declared {declared or 'nothing'}")
        return text

    def _follow(self, outlet: Outlet, tree: Any, response: Response) -> Iterator[scrapy.Request]:
        """Links of the page; pagination only while the archive still shows something new."""
        site = self.sites[outlet.key]
        listing = response.meta["kind"] == cs.LISTING
        via = cs.ARCHIVE if listing else cs.LINK
        links = self.followable(outlet, page_links(tree, response.url))
        nexts = set(self.followable(outlet, site.next_pages(tree, response.url)))
        nexts |= {u for u in links if site.is_pagination(u)}
        found = [Found(u, via) for u in links if u not in nexts]
        source = response.meta.get("source") or response.meta["state_url"]
        plans = self.plan_all(outlet, found)
        had_news = self.has_news(outlet, plans, source)
        yield from self._pages(outlet, [f for f, reason in plans if reason in _FETCH])
        pages = []
        for url in nexts:
            if url in self.scheduled.get(outlet.key, ()):
                continue
            reason = self.plan_all(outlet, [Found(url, cs.ARCHIVE, cs.LISTING)])[0][1]
            if reason in (cs.NEW, cs.RESUME, cs.RETRY) or (reason and (had_news or self.refresh)):
                pages.append(Found(url, cs.ARCHIVE, cs.LISTING))
            elif reason == cs.REREAD:
                self.count(outlet, "paging_stopped")
        for request in self._pages(outlet, pages):
            request.meta["source"] = source  # later pages of this archive
            yield request

    # Deciding and requesting.

    def followable(self, outlet: Outlet, urls: Iterable[str]) -> list[str]:
        """The in-scope URLs, normalised, without duplicates. Memoised for the run: a
        site's menus and sidebars repeat the same links on every page."""
        memo = self.link_memo.setdefault(outlet.key, {})
        result = []
        for url in urls:
            if url not in memo:
                memo[url] = normalize_url(url) if should_follow(url, outlet) else None
            if (normalised := memo[url]) is not None:
                result.append(normalised)
        return list(dict.fromkeys(result))

    def plan_all(self, outlet: Outlet, found: Iterable[Found]) -> list[tuple[Found, str | None]]:
        """Each in-scope URL with why it is fetched this run (None: known, left alone)."""
        assert self.state is not None
        plans = []
        for item in found:
            if not self.followable(outlet, [item.url]):
                continue
            reason = cs.plan(self.state.get(outlet.key, item.url), item, self.refresh)
            if item.url in self.scheduled.get(outlet.key, ()):
                reason = cs.SCHEDULED  # queued by this run, not left over from an earlier one
            plans.append((item, reason))
            if reason in _FRESH:
                self.news.setdefault(outlet.key, set()).add(item.url)
            if reason == cs.NEW:
                self.count(outlet, f"discovered/{item.found_via}")
            elif reason is None:
                self.count(outlet, "skipped")
        self.state.note(outlet.key, [f for f, _ in plans])
        return plans

    def fetch_all(
        self, outlet: Outlet, found: Iterable[Found], source: str = ""
    ) -> tuple[list[scrapy.Request], bool]:
        """Requests for the discovered URLs worth fetching, and whether any was new or changed."""
        plans = self.plan_all(outlet, found)
        news = self.has_news(outlet, plans, source)
        chosen = [f for f, reason in plans if reason in _FETCH]
        return list(self._pages(outlet, chosen)), news

    def has_news(self, outlet: Outlet, plans: list[tuple[Found, str | None]], source: str) -> bool:
        """Does a page list something we did not have before this run (so paging goes on)?

        An entry counts when it is new here, or new this run through another
        source (answers race: the home page may list a post before the API does)
        and not listed by an earlier page of this same source (a feed whose
        ``?paged=N`` is ignored repeats its first page forever).
        """
        news = self.news.get(outlet.key, set())
        listed = self.listed.setdefault((outlet.key, source), set())
        found_news = any(
            reason in _FRESH or (found.url in news and found.url not in listed)
            for found, reason in plans
        )
        listed.update(found.url for found, _ in plans)
        return found_news

    def _pages(self, outlet: Outlet, found: list[Found]) -> list[scrapy.Request]:
        """Page requests, queued in the crawl state first, up to the outlet's per-run page cap.

        Built eagerly (not a generator): start requests are consumed lazily, and a
        URL must count as scheduled before any callback can find it again.
        """
        assert self.state is not None
        scheduled = self.scheduled.setdefault(outlet.key, set())
        fresh = [f for f in dict((f.url, f) for f in found).values() if f.url not in scheduled]
        if not fresh:
            return []
        self.state.queue(outlet.key, fresh)  # a killed run resumes from these
        requests = []
        for item in fresh:
            if outlet.max_pages and len(scheduled) >= outlet.max_pages:
                self.count(outlet, "skipped_max_pages")
                continue
            scheduled.add(item.url)
            requests.append(self.page_request(outlet, item))
        return requests

    def page_request(self, outlet: Outlet, found: Found) -> scrapy.Request:
        assert self.state is not None
        known = self.state.get(outlet.key, found.url)
        kind = (
            cs.LISTING
            if found.kind == cs.LISTING or (known and known.kind == cs.LISTING)
            else cs.PAGE
        )
        # Listing pages are re-read conditionally; an article is fetched because it is
        # new or changed (or --refresh asks for everything again): it wants the body.
        headers = self.conditional(outlet, found.url) if kind == cs.LISTING else {}
        return scrapy.Request(
            found.url,
            callback=self.parse_page,
            errback=self.on_error,
            headers=headers,
            priority=cs.PRIORITY.get(found.found_via, 0),
            # The crawl state decides what is fetched; a dupefilter would also hide redirect loops.
            dont_filter=True,
            meta={
                "outlet": outlet.key,
                "kind": kind,
                "found_via": found.found_via,
                "state_url": found.url,
                "handle_httpstatus_list": [304, 404, 410],
            },
        )

    def conditional(self, outlet: Outlet, url: str) -> dict[str, str]:
        assert self.state is not None
        return {} if self.refresh else self.state.conditional_headers(outlet.key, url)

    # Errors and counting.

    def on_error(self, failure: Any) -> None:
        """Record a failed request; Scrapy does not pass an errback's own errors to middlewares."""
        try:
            self._on_error(failure)
        except SQLAlchemyError as exc:
            if not stop_if_store_failed(self.crawler, exc):
                raise

    def _on_error(self, failure: Any) -> None:
        request = failure.request
        outlet = self.outlets[request.meta["outlet"]]
        self.awaiting.discard(request.meta.get("state_url", ""))
        if isinstance(failure.value, RefusedRequest):  # counted by spiders.scope; never again
            url = request.meta.get("state_url", request.url)
            self.record(outlet, url, cs.DROPPED, cs.REFUSED + failure.value.reason)
            return
        response = getattr(failure.value, "response", None)
        status = response.status if response is not None else None
        message = str(failure.value)
        if "robots.txt" in message:
            self.count(outlet, "skipped_robots")
            self.record(outlet, request.meta.get("state_url", request.url), cs.DROPPED, "robots")
            return
        if self.end_of_source(outlet, request.meta, request.url, status):
            return
        kind = error_kind(type(failure.value).__name__, message, status)
        url = request.meta.get("state_url", request.url)  # as requested, before any redirect
        self.fault(outlet, kind, url, message)
        self.record(outlet, url, cs.ERROR, kind, status)

    def fault(self, outlet: Outlet, kind: str, url: str, message: str) -> None:
        """Count an error of ``kind`` (overall and for the outlet) and log it with its URL."""
        self.crawler.stats.inc_value(f"aggregator/errors/{kind}")
        self.count(outlet, "errors")
        self.logger.warning("%s: %s (%s)", kind, url, message.splitlines()[0] if message else "")

    def count(self, outlet: Outlet, name: str, value: int = 1) -> None:
        stats = self.crawler.stats
        stats.inc_value(f"aggregator/outlet/{outlet.key}/{name}", value)
        if name.startswith("discovered/"):
            stats.inc_value(f"aggregator/{name}", value)
        elif name in ("skipped", "skipped_max_pages", "skipped_robots", "not_modified"):
            stats.inc_value(f"aggregator/pages/{name}", value)

    def record(
        self,
        outlet: Outlet,
        url: str,
        status: str,
        detail: str | None = None,
        http: int | None = None,
    ) -> None:
        assert self.state is not None
        self.state.record(outlet.key, url, Fetched(status, detail=detail, http_status=http))

    def not_modified(self, outlet: Outlet, response: Response) -> None:
        """A 304: nothing on this page changed since we read it; its state stays."""
        assert self.state is not None
        self.count(outlet, "not_modified")
        url = response.meta["state_url"]
        known = self.state.get(outlet.key, url)
        status = known.status if known and known.status != cs.QUEUED else cs.READ
        self.state.record(outlet.key, url, Fetched(status, http_status=304))
