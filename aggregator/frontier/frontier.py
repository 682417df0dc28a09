"""The crawl policy: what to fetch next, and why (issue 12, item 1).

Plain Python: the spider hands in what a response listed (``Found`` entries,
links) and gets back ``Fetch`` decisions. Here: where a run starts, how far a
feed, API or archive is paged, the since-date, the sitemap limits, and what
each answer or failure leaves in the crawl state. Which found URLs are worth
fetching is the ``Planner``'s; what the run has seen so far, its ``RunMemory``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, MutableSet
from urllib.parse import urlencode, urljoin

from aggregator import crawlstate as cs
from aggregator.config import Outlet
from aggregator.crawlconfig import CrawlConfig
from aggregator.crawlstate import CrawlState, Fetched, Found
from aggregator.faults import error_kind
from aggregator.frontier.fetch import Answer, Fetch, Report, Tally, source_page
from aggregator.frontier.memory import RunMemory
from aggregator.frontier.planner import AWAITED, Planner
from aggregator.frontier.robots import covers, robots_url
from aggregator.sites import Site
from aggregator.urls import normalize_url, should_follow

logger = logging.getLogger(__name__)

_FETCH = (cs.NEW, cs.RESUME, cs.RETRY, cs.CHANGED, cs.REFRESH)


class Frontier:
    """Decides what one run fetches, for some outlets, from their crawl state.

    ``refresh`` (``config.refresh``) fetches stored articles again; ``fetch_robots``
    is off when Scrapy's RobotsTxtMiddleware fetches robots.txt (it is then heard
    through ``robots_fetched``).
    """

    def __init__(
        self,
        config: CrawlConfig,
        outlets: Mapping[str, Outlet],
        sites: Mapping[str, Site],
        state: CrawlState,
        report: Report | None = None,
        fetch_robots: bool = True,
        awaiting: MutableSet[str] | None = None,
    ) -> None:
        self.config = config
        self.outlets = dict(outlets)
        self.sites = dict(sites)
        self.state = state
        self.report: Report = report or Tally()
        self.fetch_robots = fetch_robots
        self.run = RunMemory(awaiting)  # what this run has decided on and heard so far
        self.planner = Planner(config, self.outlets, state, self.report, self.run)

    # Starting a run.

    def resume(self, key: str) -> list[Fetch]:
        """What an earlier run queued but never finished (it was stopped or killed), and pages
        that failed for a reason that may pass, first."""
        outlet = self.outlets[key]
        sources, pages = [], []
        for known in self.state.unfinished(key):
            if known.kind in AWAITED:
                first, page = source_page(known.kind, known.url)
                if page == 1 and known.kind in (cs.API, cs.FEED):
                    continue  # first pages of feeds and APIs are read every run anyway
                sources.append(
                    self.planner.source(
                        key, known.url, known.kind, known.found_via, page, source=first
                    )
                )
            elif known.kind != cs.ROBOTS and should_follow(known.url, outlet):
                pages.append(Found(known.url, known.found_via, known.kind))
        self.report.count(key, "resumed", len(pages))
        self.run.news.setdefault(key, set()).update(f.url for f in pages)
        return sources + self.planner.pages(key, pages)

    def discovery(self, key: str) -> list[Fetch]:
        """robots.txt, the REST API, feeds and configured sitemaps: newest first, by priority."""
        outlet = self.outlets[key]
        fetches = []
        robots = robots_url(outlet)
        if self.fetch_robots and robots not in self.run.sources:
            fetches.append(self.planner.source(key, robots, cs.ROBOTS, cs.ROBOTS))
        api = self.sites[key].api_url()
        if api:
            first = self.api_page(key, api, 1)
            fetches.append(self.planner.source(key, first, cs.API, cs.API, source=api))
        feeds = outlet.feeds
        if not feeds and outlet.platform == "wordpress":  # every WordPress has one here
            feeds = (urljoin(outlet.scope, "feed/"),)
        fetches += [self.planner.source(key, url, cs.FEED, cs.CONFIG) for url in feeds]
        fetches += [
            self.planner.source(key, url, cs.SITEMAP, cs.CONFIG)
            for url in outlet.sitemaps
            if normalize_url(url) not in self.run.sources  # a resumed one is already asked for
        ]
        return fetches

    def admit(self, key: str, url: str) -> bool:
        """Is this the first request for ``url`` this run? (``spiders.dupefilter`` asks.)"""
        return self.run.admit(key, url)

    @property
    def sources_pending(self) -> bool:
        """Are first pages of feeds, APIs or sitemaps still unanswered (archives wait for them)?"""
        return bool(self.run.awaiting)

    def archive(self, key: str) -> list[Fetch]:
        """The home page, start pages, and the first archive pages read before."""
        outlet = self.outlets[key]
        starts = [
            Found(normalize_url(u), cs.CONFIG, cs.LISTING) for u in (outlet.url, *outlet.start_urls)
        ]
        site = self.sites[key]
        rereads = [
            Found(s.url, s.found_via, cs.LISTING)
            for s in self.state.rereads(key)
            if not site.is_pagination(s.url)
        ]
        return self.planner.pages(key, starts + rereads)

    # Pages: articles and archive pages.

    def page_answered(self, fetch: Fetch, answer: Answer) -> bool:
        """Count the page; False when it answered 304 (nothing changed, nothing to read)."""
        self.report.count(fetch.outlet, "pages")
        if answer.status == 304:
            self.not_modified(fetch)
            return False
        return True

    def announced_feeds(self, fetch: Fetch, urls: Iterable[str]) -> list[Fetch]:
        """Feeds a start page announces (``<link rel=alternate>``), not yet asked for this run."""
        if fetch.found_via != cs.CONFIG:
            return []
        outlet = self.outlets[fetch.outlet]
        feeds = [normalize_url(u) for u in urls if should_follow(u, outlet)]
        return [
            self.planner.source(fetch.outlet, url, cs.FEED, cs.FEED)
            for url in dict.fromkeys(feeds)
            if url not in self.run.sources and not cs.refused(self.state.get(fetch.outlet, url))
        ]

    def links(self, fetch: Fetch, links: Iterable[str], nexts: Iterable[str]) -> list[Fetch]:
        """The page's links worth fetching; its next pages only while it showed something new."""
        key = fetch.outlet
        site = self.sites[key]
        via = cs.ARCHIVE if fetch.kind == cs.LISTING else cs.LINK
        urls = self.planner.followable(key, links)
        later = self.planner.followable(key, nexts)
        paging = self.run.pagination.setdefault(key, {})
        for url in urls:
            if url not in paging:
                paging[url] = site.is_pagination(url)
        later += [u for u in urls if paging[u] and u not in later]
        source = fetch.source or fetch.url
        plans = self.planner.plan(key, [Found(u, via) for u in urls if u not in later])
        # Only a paged source's pages are compared with what its earlier pages listed.
        remember = bool(later or fetch.source)
        had_news = self.run.has_news(key, plans, source, remember)
        fetches = self.planner.pages(key, [f for f, reason in plans if reason in _FETCH])
        pages = []
        for url in later:
            if self.run.is_scheduled(key, url):
                continue
            found = Found(url, cs.ARCHIVE, cs.LISTING)
            reason = self.planner.plan(key, [found])[0][1]
            if reason in (cs.NEW, cs.RESUME, cs.RETRY) or (
                reason and (had_news or self.config.refresh)
            ):
                pages.append(found)
            elif reason == cs.REREAD:
                self.report.count(key, "paging_stopped")
        return fetches + self.planner.pages(
            key, pages, source=source
        )  # later pages of this archive

    # Sources: robots.txt, the REST API, feeds, sitemaps.

    def source_answered(self, fetch: Fetch, answer: Answer) -> bool:
        """Count the source; False when it answered 304 (nothing changed, nothing to read).

        Its validators are recorded only once its entries are queued (``_source_read``):
        kept before, a crawl stopped in between would get a 304 next run and never
        queue them (issue 11: posts were lost so).
        """
        self.report.count(fetch.outlet, "sources")
        self.run.awaiting.discard(fetch.url)
        if answer.status == 304:
            self.not_modified(fetch)
            return False
        return True

    def source_failed(self, fetch: Fetch, answer: Answer, kind: str, message: str) -> None:
        """A source that answered but could not be read (not a feed, too large ...)."""
        self.report.fault(fetch.outlet, kind, answer.url, message)
        self._record(fetch, cs.ERROR, kind, answer.status)

    def api_page(self, key: str, api: str, page: int) -> str:
        """Page ``page`` of a WordPress REST API's posts, newest first, after the since-date."""
        params = {
            "per_page": str(self.config.api_per_page),
            "page": str(page),
            "orderby": "date",
            "order": "desc",
            "_fields": "link,date_gmt,modified_gmt",
        }
        since = self.outlets[key].since_datetime
        if since:
            params["after"] = since.strftime("%Y-%m-%dT%H:%M:%S")
        return f"{api}?{urlencode(params)}"

    def api_read(
        self, fetch: Fetch, answer: Answer, found: list[Found], total_pages: int | None
    ) -> list[Fetch]:
        """The posts an API page listed, and its next page while there is news."""
        fetches, news = self._listed(fetch, found)
        last = min(total_pages or 0, self.config.max_api_pages)
        if self._page_on(fetch.outlet, found, news) and fetch.page < last:
            url = self.api_page(fetch.outlet, fetch.source, fetch.page + 1)
            fetches.append(self._next_page(fetch, url))
        self._source_read(fetch, answer)
        return fetches

    def feed_read(self, fetch: Fetch, answer: Answer, found: list[Found]) -> list[Fetch]:
        """The posts a feed page listed, and its next page while there is news."""
        fetches, news = self._listed(fetch, found)
        if self._page_on(fetch.outlet, found, news) and fetch.page < self.config.max_feed_pages:
            url = self.sites[fetch.outlet].feed_page(fetch.source, fetch.page + 1)
            fetches.append(self._next_page(fetch, url))
        self._source_read(fetch, answer)
        return fetches

    def sitemap_read(
        self, fetch: Fetch, answer: Answer, children: list[Found], found: list[Found]
    ) -> list[Fetch]:
        """The sitemaps an index names (within its limits) and the pages a sitemap lists."""
        fetches = self._child_sitemaps(fetch, answer, children) if children else []
        fetches += self._listed(fetch, found)[0]
        self._source_read(fetch, answer)
        return fetches

    def robots_read(self, fetch: Fetch, answer: Answer, sitemaps: list[str]) -> list[Fetch]:
        """The sitemaps a robots.txt names, for every outlet on its host that they cover."""
        if answer.status >= 400:
            if not self._end_of_source(fetch, answer.status):
                kind = f"http_{answer.status}"
                self.report.fault(fetch.outlet, kind, fetch.url, "robots.txt")
                self._record(fetch, cs.ERROR, kind, answer.status)
            return []
        if not self.source_answered(fetch, answer):
            return []
        fetches = []
        for outlet in self.outlets.values():
            if robots_url(outlet) != fetch.url:
                continue
            for url in map(normalize_url, sitemaps):
                if (
                    covers(url, outlet)
                    and url not in self.run.sources
                    and not cs.refused(self.state.get(outlet.key, url))
                ):
                    fetches.append(self.planner.source(outlet.key, url, cs.SITEMAP, cs.ROBOTS))
        self._source_read(fetch, answer)
        return fetches

    def robots_fetched(self, url: str) -> Fetch | None:
        """A robots.txt Scrapy's RobotsTxtMiddleware fetched, as its outlet's fetch; None when
        it is no outlet's, or read already this run (it is the only fetch of it)."""
        url = normalize_url(url)
        owner = next((o for o in self.outlets.values() if robots_url(o) == url), None)
        if owner is None or url in self.run.sources:
            return None
        self.run.sources.add(url)
        return Fetch(url, owner.key, cs.ROBOTS, cs.ROBOTS, source=url)

    # Failures.

    def failed(self, fetch: Fetch, error: str, message: str, status: int | None) -> None:
        """A request that got no usable answer: ``error`` is the exception's class name."""
        self.run.awaiting.discard(fetch.url)
        if "robots.txt" in message:
            self.report.count(fetch.outlet, "skipped_robots")
            self._record(fetch, cs.DROPPED, "robots")
            return
        if self._end_of_source(fetch, status):
            return
        kind = error_kind(error, message, status)
        self.report.fault(fetch.outlet, kind, fetch.url, message)
        self._record(fetch, cs.ERROR, kind, status)

    def refused(self, fetch: Fetch, reason: str) -> None:
        """The crawl's scope refused the URL (counted by spiders.scope): never asked for again."""
        self.run.awaiting.discard(fetch.url)
        self._record(fetch, cs.DROPPED, cs.REFUSED + reason)

    def not_modified(self, fetch: Fetch) -> None:
        """A 304: nothing at this URL changed since we read it; its state stays."""
        self.report.count(fetch.outlet, "not_modified")
        known = self.state.get(fetch.outlet, fetch.url)
        status = known.status if known and known.status != cs.QUEUED else cs.READ
        self.state.record(fetch.outlet, fetch.url, Fetched(status, http_status=304))

    # Deciding.

    def _listed(self, fetch: Fetch, found: list[Found]) -> tuple[list[Fetch], bool]:
        """Fetches for a source's entries worth fetching, and whether any was news."""
        plans = self.planner.plan(fetch.outlet, self._recent(fetch.outlet, found))
        news = self.run.has_news(fetch.outlet, plans, fetch.source or fetch.url)
        return self.planner.pages(
            fetch.outlet, [f for f, reason in plans if reason in _FETCH]
        ), news

    def _recent(self, key: str, found: list[Found]) -> list[Found]:
        """Entries not older than the outlet's since-date."""
        since = self.outlets[key].since_datetime
        if since is None:
            return found
        recent = [f for f in found if f.date is None or f.date >= since]
        if len(recent) < len(found):
            self.report.count(key, "too_old", len(found) - len(recent))
        return recent

    def _page_on(self, key: str, found: list[Found], news: bool) -> bool:
        """Read the next page only while this one held something new and not all before since."""
        if not found:
            return False
        since = self.outlets[key].since_datetime
        if since and all(f.date is not None and f.date < since for f in found):
            return False
        if not news:
            self.report.count(key, "paging_stopped")
            return False
        return True

    def _child_sitemaps(self, fetch: Fetch, answer: Answer, children: list[Found]) -> list[Fetch]:
        """Sitemaps of an index, within the nesting and count limits, unchanged ones skipped."""
        key = fetch.outlet
        depth = fetch.depth + 1
        if depth > self.config.sitemap_depth:
            message = f"sitemap index nested deeper than {depth - 1} levels"
            self.report.fault(key, "sitemap_too_deep", answer.url, message)
            return []
        since = self.outlets[key].since_datetime
        fetches = []
        for child in children:
            known = self.state.get(key, child.url)
            if child.url in self.run.sources or (since and child.lastmod and child.lastmod < since):
                continue
            if cs.refused(known):  # a sitemap the crawl's scope refused before: never again
                continue
            if (
                known
                and known.status == cs.READ
                and child.lastmod
                and known.lastmod
                and child.lastmod <= known.lastmod
            ):
                self.report.count(key, "sitemaps_unchanged")
                continue
            if self.run.sitemaps_read[key] >= self.config.max_sitemaps:
                # Said once a run: an index of 10,000 indexes printed 1,000 identical
                # warnings (issue 11, finding 15).
                if key not in self.run.over_sitemap_budget:
                    self.run.over_sitemap_budget.add(key)
                    message = f"more than {self.config.max_sitemaps} sitemaps"
                    self.report.fault(key, "sitemap_too_many", answer.url, message)
                break
            self.run.sitemaps_read[key] += 1
            self.report.count(key, "sitemaps")
            fetches.append(
                self.planner.source(
                    key, child.url, cs.SITEMAP, cs.SITEMAP, depth=depth, lastmod=child.lastmod
                )
            )
        return fetches

    def _end_of_source(self, fetch: Fetch, status: int | None) -> bool:
        """Answers that end a source without being errors: no robots.txt, no API, past the last page."""
        kind, page = fetch.kind, fetch.page
        ends = (
            (kind == cs.ROBOTS and status in (403, 404, 410))
            or (kind == cs.API and status in (400, 401, 403, 404))
            or (kind == cs.FEED and page > 1 and status in (400, 404, 410))
        )
        if ends:
            self.report.count(fetch.outlet, f"{kind}_missing" if page == 1 else f"{kind}_end")
            self._record(fetch, cs.READ, f"http_{status}", status)
            logger.info("%s %s answered %s: nothing more there", kind, fetch.url, status)
        return ends

    def _next_page(self, fetch: Fetch, url: str) -> Fetch:
        via = cs.API if fetch.kind == cs.API else cs.FEED
        return self.planner.source(
            fetch.outlet, url, fetch.kind, via, page=fetch.page + 1, source=fetch.source
        )

    # Recording.

    def _source_read(self, fetch: Fetch, answer: Answer) -> None:
        """The source's entries are queued: its validators may now make the next read conditional."""
        fetched = Fetched(
            cs.READ,
            kind=fetch.kind,
            http_status=answer.status,
            etag=answer.etag,
            last_modified=answer.last_modified,
        )
        self.state.record(fetch.outlet, fetch.url, fetched)

    def _record(
        self, fetch: Fetch, status: str, detail: str | None = None, http: int | None = None
    ) -> None:
        self.state.record(fetch.outlet, fetch.url, Fetched(status, detail=detail, http_status=http))
