"""Discovery sources of the outlet spider: robots.txt, the WordPress REST API, feeds, sitemaps.

Discovery URLs are re-read on every run (never swallowed by the request
dupefilter), with a conditional GET when read before; a feed or API is paged
only while its pages still hold something new or changed (issue 5, item 4).

robots.txt is fetched once per host (issue 12, item 5): by Scrapy's
RobotsTxtMiddleware when ROBOTSTXT_OBEY is on, whose answer the spider hears
through the ``response_received`` signal and reads for its sitemaps; by the
spider itself only when robots.txt is not obeyed.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import scrapy
from scrapy.http import Response
from sqlalchemy.exc import SQLAlchemyError

from aggregator import crawlstate as cs
from aggregator.config import Outlet
from aggregator.crawlconfig import CrawlConfig
from aggregator.crawlstate import Fetched, Found
from aggregator.discovery import api_entries, feed_entries
from aggregator.errors import DiscoveryError
from aggregator.urls import in_scope, normalize_url
from spiders.fatal import stop_if_store_failed
from spiders.headers import header
from spiders.sitemaps import robots_sitemaps, sitemap_entries


class SourcesMixin:
    """Requests and callbacks for discovery pages; mixed into ``OutletSpider``."""

    config: CrawlConfig
    outlets: dict[str, Outlet]
    sources: set[str]
    over_sitemap_budget: set[str]
    crawler: Any

    def discovery_requests(self, outlet: Outlet) -> Iterator[scrapy.Request]:
        robots = normalize_url(urljoin(outlet.url, "/robots.txt"))
        if robots not in self.sources and not self.crawler.settings.getbool("ROBOTSTXT_OBEY"):
            yield self.source_request(outlet, robots, "robots", self.parse_robots, cs.ROBOTS)
        api = self.sites[outlet.key].api_url()
        if api:
            yield self.source_request(
                outlet, self.api_page(outlet, api, 1), "api", self.parse_api, cs.API, source=api
            )
        feeds = outlet.feeds
        if not feeds and outlet.platform == "wordpress":  # every WordPress has one here
            feeds = (urljoin(outlet.scope, "feed/"),)
        for url in feeds:
            yield self.source_request(outlet, url, "feed", self.parse_feed, cs.CONFIG)
        for url in outlet.sitemaps:
            if normalize_url(url) not in self.sources:  # a resumed one is already asked for
                yield self.source_request(outlet, url, "sitemap", self.parse_sitemap, cs.CONFIG)

    def source_request(
        self,
        outlet: Outlet,
        url: str,
        kind: str,
        callback: Any,
        found_via: str,
        page: int = 1,
        depth: int = 0,
        source: str | None = None,
        lastmod: datetime | None = None,
    ) -> scrapy.Request:
        """A discovery request: never filtered as a duplicate, conditional when read before."""
        url = normalize_url(url)
        self.sources.add(url)
        if page == 1 and kind in ("api", "feed", "sitemap"):
            self.awaiting.add(url)
        self.state.queue(outlet.key, [Found(url, found_via, kind, lastmod=lastmod)])
        # robots.txt is read whole: the sitemaps it names are requested from its body.
        headers = self.conditional(outlet, url) if page == 1 and kind != "robots" else {}
        return scrapy.Request(
            url,
            callback=callback,
            errback=self.on_error,
            headers=headers,
            dont_filter=True,
            priority=cs.PRIORITY[_priority_via(kind, url)],
            meta={
                "outlet": outlet.key,
                "kind": kind,
                "found_via": found_via,
                "state_url": url,
                "page": page,
                "depth": depth,
                "source": source or url,
                "dont_obey_robotstxt": kind == "robots",
                "handle_httpstatus_list": [304],
            },
        )

    def source_page(self, outlet: Outlet, kind: str, url: str) -> tuple[str, int]:
        """A feed or API page's first-page URL and its number, to resume paging from it."""
        parts = urlsplit(url)
        query = dict(parse_qsl(parts.query))
        if kind == "api" and query.get("page", "").isdigit():
            return parts._replace(query="").geturl(), int(query["page"])
        if kind == "feed" and query.get("paged", "").isdigit():
            rest = urlencode({k: v for k, v in query.items() if k != "paged"})
            return parts._replace(query=rest).geturl(), int(query["paged"])
        return url, 1

    # robots.txt

    def robots_answered(self, response: Response, request: scrapy.Request) -> None:
        """``response_received``: RobotsTxtMiddleware's robots.txt answer, read for its sitemaps.

        Its request has no callback, so the spider never sees it otherwise; it is
        the only fetch of that robots.txt this run.
        """
        url = normalize_url((request.meta.get("redirect_urls") or [request.url])[0])
        owner = next((o for o in self.outlets.values() if _robots_url(o) == url), None)
        if owner is None or not request.meta.get("dont_obey_robotstxt") or url in self.sources:
            return
        self.sources.add(url)
        meta = {**request.meta, "outlet": owner.key, "kind": "robots", "state_url": url}
        try:
            for sitemap in self.parse_robots(response.replace(request=request.replace(meta=meta))):
                self.crawler.engine.crawl(sitemap)
        except SQLAlchemyError as exc:  # a signal handler's errors are only logged
            if not stop_if_store_failed(self.crawler, exc):
                raise

    def parse_robots(self, response: Response) -> Iterator[scrapy.Request]:
        """Sitemaps a robots.txt names, for every outlet on its host that they cover."""
        url = response.meta["state_url"]
        owner = self.outlets[response.meta["outlet"]]
        if response.status >= 400:
            if not self.end_of_source(owner, response.meta, url, response.status):
                self.fault(owner, f"http_{response.status}", url, "robots.txt")
                self.record(owner, url, cs.ERROR, f"http_{response.status}", response.status)
            return
        self.source_read(owner, response)
        sitemaps = robots_sitemaps(response.body, response.url)
        for outlet in self.outlets.values():
            if _robots_url(outlet) != url:
                continue
            for sitemap in sitemaps:
                if (
                    _covers(sitemap, outlet)
                    and normalize_url(sitemap) not in self.sources
                    and not cs.refused(self.state.get(outlet.key, normalize_url(sitemap)))
                ):
                    yield self.source_request(
                        outlet, sitemap, "sitemap", self.parse_sitemap, cs.ROBOTS
                    )

    # WordPress REST API

    def api_page(self, outlet: Outlet, api: str, page: int) -> str:
        params = {
            "per_page": str(self.config.api_per_page),
            "page": str(page),
            "orderby": "date",
            "order": "desc",
            "_fields": "link,date_gmt,modified_gmt",
        }
        if outlet.since_datetime:
            params["after"] = outlet.since_datetime.strftime("%Y-%m-%dT%H:%M:%S")
        return f"{api}?{urlencode(params)}"

    def parse_api(self, response: Response) -> Iterator[scrapy.Request]:
        outlet = self.outlets[response.meta["outlet"]]
        if not self.source_read(outlet, response):
            return
        page = response.meta["page"]
        try:
            entries = api_entries(response.body)
        except DiscoveryError as exc:
            self.source_failed(outlet, response, exc)
            return
        found = [
            Found(_absolute(response, e.url), cs.API, lastmod=e.modified, published=e.published)
            for e in entries
        ]
        requests, news = self.fetch_all(
            outlet, self._recent(outlet, found), response.meta["source"]
        )
        yield from requests
        total = _int(response.headers.get("X-WP-TotalPages"))
        limit = self.config.max_api_pages
        if self._page_on(outlet, response, found, news) and page < min(total or 0, limit):
            next_url = self.api_page(outlet, response.meta["source"], page + 1)
            yield self.source_request(
                outlet,
                next_url,
                "api",
                self.parse_api,
                cs.API,
                page=page + 1,
                source=response.meta["source"],
            )

    # Feeds

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        outlet = self.outlets[response.meta["outlet"]]
        if not self.source_read(outlet, response):
            return
        try:
            entries = feed_entries(response.body, response.url)
        except DiscoveryError as exc:
            self.source_failed(outlet, response, exc)
            return
        found = [
            Found(normalize_url(e.url), cs.FEED, lastmod=e.updated, published=e.published)
            for e in entries
        ]
        requests, news = self.fetch_all(
            outlet, self._recent(outlet, found), response.meta["source"]
        )
        yield from requests
        page = response.meta["page"]
        limit = self.config.max_feed_pages
        if self._page_on(outlet, response, found, news) and page < limit:
            source = response.meta["source"]
            next_url = self.sites[outlet.key].feed_page(source, page + 1)
            yield self.source_request(
                outlet, next_url, "feed", self.parse_feed, cs.FEED, page=page + 1, source=source
            )

    # Sitemaps

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        outlet = self.outlets[response.meta["outlet"]]
        if not self.source_read(outlet, response):
            return
        try:
            entries = sitemap_entries(response.body, self.config.sitemap_max_bytes)
        except DiscoveryError as exc:
            self.source_failed(outlet, response, exc)
            return
        children = [e for e in entries if e.is_sitemap]
        if children:
            yield from self._child_sitemaps(outlet, response, children)
        found = [
            Found(
                _absolute(response, e.url),
                cs.NEWS_SITEMAP if e.is_news else cs.SITEMAP,
                lastmod=e.lastmod,
                published=e.published,
            )
            for e in entries
            if not e.is_sitemap
        ]
        requests, _ = self.fetch_all(outlet, self._recent(outlet, found), response.url)
        yield from requests

    def _child_sitemaps(
        self, outlet: Outlet, response: Response, children: list[Any]
    ) -> Iterator[scrapy.Request]:
        """Sitemaps of an index, within the nesting and count limits, unchanged ones skipped."""
        depth = response.meta["depth"] + 1
        if depth > self.config.sitemap_depth:
            message = f"sitemap index nested deeper than {depth - 1} levels"
            self.fault(outlet, "sitemap_too_deep", response.url, message)
            return
        budget = self.config.max_sitemaps
        for child in children:
            url = _absolute(response, child.url)
            known = self.state.get(outlet.key, url)
            since = outlet.since_datetime
            if url in self.sources or (since and child.lastmod and child.lastmod < since):
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
                self.count(outlet, "sitemaps_unchanged")
                continue
            read = self.crawler.stats.get_value(f"aggregator/outlet/{outlet.key}/sitemaps", 0)
            if read >= budget:
                # Said once a run: an index of 10,000 indexes printed 1,000 identical
                # warnings (issue 11, finding 15).
                if outlet.key not in self.over_sitemap_budget:
                    self.over_sitemap_budget.add(outlet.key)
                    message = f"more than {budget} sitemaps"
                    self.fault(outlet, "sitemap_too_many", response.url, message)
                return
            self.count(outlet, "sitemaps")
            via = cs.SITEMAP  # found through the index
            yield self.source_request(
                outlet, url, "sitemap", self.parse_sitemap, via, depth=depth, lastmod=child.lastmod
            )

    # Shared

    def source_read(self, outlet: Outlet, response: Response) -> bool:
        """Record the source's answer; False when it was a 304 (nothing changed, nothing to read)."""
        self.count(outlet, "sources")
        url = response.meta["state_url"]
        self.awaiting.discard(url)
        if response.status == 304:
            self.not_modified(outlet, response)
            return False
        self.state.record(
            outlet.key,
            url,
            Fetched(
                cs.READ,
                kind=response.meta["kind"],
                http_status=response.status,
                etag=header(response, "ETag"),
                last_modified=header(response, "Last-Modified"),
            ),
        )
        return True

    def source_failed(self, outlet: Outlet, response: Response, exc: DiscoveryError) -> None:
        self.fault(outlet, exc.kind, response.url, str(exc))
        self.record(outlet, response.meta["state_url"], cs.ERROR, exc.kind, response.status)

    def end_of_source(
        self, outlet: Outlet, meta: dict[str, Any], url: str, status: int | None
    ) -> bool:
        """Answers that end a source without being errors: no robots.txt, no API, past the last page."""
        kind, page = meta.get("kind"), meta.get("page", 1)
        ends = (
            (kind == "robots" and status in (403, 404, 410))
            or (kind == "api" and status in (400, 401, 403, 404))
            or (kind == "feed" and page > 1 and status in (400, 404, 410))
        )
        if ends:
            self.count(outlet, f"{kind}_missing" if page == 1 else f"{kind}_end")
            self.record(outlet, meta["state_url"], cs.READ, f"http_{status}", status)
            self.logger.info("%s %s answered %s: nothing more there", kind, url, status)
        return ends

    def _recent(self, outlet: Outlet, found: list[Found]) -> list[Found]:
        """Entries not older than the outlet's since-date."""
        since = outlet.since_datetime
        if since is None:
            return found
        recent = [f for f in found if f.date is None or f.date >= since]
        if len(recent) < len(found):
            self.count(outlet, "too_old", len(found) - len(recent))
        return recent

    def _page_on(self, outlet: Outlet, response: Response, found: list[Found], news: bool) -> bool:
        """Read the next page only while this one held something new and not all before since."""
        if not found:
            return False
        since = outlet.since_datetime
        if since and all(f.date is not None and f.date < since for f in found):
            return False
        if not news:
            self.count(outlet, "paging_stopped")
            return False
        return True


def _priority_via(kind: str, url: str) -> str:
    """Newest first: robots.txt, the REST API, feeds, news sitemaps, other sitemaps."""
    if kind == "sitemap":
        return cs.NEWS_SITEMAP if "news" in url.lower() else cs.SITEMAP
    return {"robots": cs.ROBOTS, "api": cs.API, "feed": cs.FEED}[kind]


def _robots_url(outlet: Outlet) -> str:
    return normalize_url(urljoin(outlet.url, "/robots.txt"))


def _covers(sitemap: str, outlet: Outlet) -> bool:
    """A robots.txt sitemap belongs to an outlet inside its scope or at or above its directory."""
    if in_scope(sitemap, outlet):
        return True
    parts = urlsplit(sitemap)
    directory = urljoin(sitemap, "./")
    return parts.hostname == outlet.host and outlet.scope.startswith(directory)


def _absolute(response: Response, url: str) -> str:
    """Entries should be absolute; relative ones are read against the page they are on."""
    return normalize_url(urljoin(response.url, url))


def _int(value: bytes | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None
