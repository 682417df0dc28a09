"""Which found URLs a run fetches, queued in the crawl state before they are asked for.

The frontier's half that plans a URL from its crawl state (``crawlstate.plan``)
and turns the chosen ones into ``Fetch`` decisions: each once a run, up to the
outlet's page cap, conditional where a listing or source was read before.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from aggregator import crawlstate as cs
from aggregator.config import Outlet
from aggregator.crawlconfig import CrawlConfig
from aggregator.crawlstate import CrawlState, Found
from aggregator.frontier.fetch import Fetch, Report, source_priority
from aggregator.frontier.memory import FRESH, Plans, RunMemory
from aggregator.urls import normalize_url, should_follow

AWAITED = (cs.API, cs.FEED, cs.SITEMAP)  # sources whose first pages the archive pages wait for


class Planner:
    def __init__(
        self,
        config: CrawlConfig,
        outlets: Mapping[str, Outlet],
        state: CrawlState,
        report: Report,
        run: RunMemory,
    ) -> None:
        self.config = config
        self.outlets = outlets
        self.state = state
        self.report = report
        self.run = run

    def followable(self, key: str, urls: Iterable[str]) -> list[str]:
        """The in-scope URLs, normalised, without duplicates. Memoised for the run: a
        site's menus and sidebars repeat the same links on every page."""
        memo = self.run.link_memo.setdefault(key, {})
        normalised = (memo[url] if url in memo else self.normalised(key, url) for url in urls)
        return list(dict.fromkeys(url for url in normalised if url is not None))

    def normalised(self, key: str, url: str) -> str | None:
        """``url`` normalised, or None when it is not followed (memoised for the run)."""
        memo = self.run.link_memo.setdefault(key, {})
        if url not in memo:
            outlet = self.outlets[key]
            memo[url] = normalize_url(url) if should_follow(url, outlet) else None
        return memo[url]

    def plan(self, key: str, found: Iterable[Found]) -> Plans:
        """Each in-scope URL with why it is fetched this run (None: known, left alone)."""
        plans = []
        for item in found:
            if self.normalised(key, item.url) is None:
                continue
            reason = cs.plan(self.state.get(key, item.url), item, self.config.refresh)
            if self.run.is_scheduled(key, item.url):
                reason = cs.SCHEDULED  # queued by this run, not left over from an earlier one
            plans.append((item, reason))
            if reason in FRESH:
                self.run.news.setdefault(key, set()).add(item.url)
            if reason == cs.NEW:
                self.report.count(key, f"discovered/{item.found_via}")
            elif reason is None:
                self.report.count(key, "skipped")
        self.state.note(key, [f for f, _ in plans])
        return plans

    def pages(self, key: str, found: list[Found], source: str = "") -> list[Fetch]:
        """Page fetches, queued in the crawl state first, up to the outlet's per-run page cap.

        A URL counts as scheduled as soon as it is decided on: start requests are
        consumed lazily, and a callback may find the URL again before it is requested.
        """
        cap = self.outlets[key].max_pages
        scheduled = self.run.scheduled.setdefault(key, set())
        fresh = [f for f in dict((f.url, f) for f in found).values() if f.url not in scheduled]
        if not fresh:
            return []
        known = {f.url for f in fresh if self.state.get(key, f.url) is not None}
        self.state.queue(key, fresh)  # a killed run resumes from these
        fetches = []
        for item in fresh:
            if cap and len(scheduled) >= cap:
                self.report.count(key, "skipped_max_pages")
                continue
            scheduled.add(item.url)
            fetches.append(self._page(key, item, source, again=item.url in known))
        return fetches

    def _page(self, key: str, found: Found, source: str, again: bool) -> Fetch:
        known = self.state.get(key, found.url)
        listing = found.kind == cs.LISTING or (known is not None and known.kind == cs.LISTING)
        # Listing pages are re-read conditionally; an article is fetched because it is
        # new or changed (or --refresh asks for everything again): it wants the body.
        return Fetch(
            found.url,
            key,
            cs.LISTING if listing else cs.PAGE,
            found.found_via,
            priority=cs.PRIORITY.get(found.found_via, 0),
            headers=self._conditional(key, found.url) if listing else {},
            source=source,
            again=again,
        )

    def source(
        self,
        key: str,
        url: str,
        kind: str,
        found_via: str,
        page: int = 1,
        depth: int = 0,
        source: str = "",
        lastmod: datetime | None = None,
    ) -> Fetch:
        """A discovery fetch, queued in the crawl state; conditional when read before."""
        url = normalize_url(url)
        self.run.sources.add(url)
        if page == 1 and kind in AWAITED:
            self.run.awaiting.add(url)
        again = self.state.get(key, url) is not None
        self.state.queue(key, [Found(url, found_via, kind, lastmod=lastmod)])
        # robots.txt is read whole: the sitemaps it names are requested from its body.
        conditional = page == 1 and kind != cs.ROBOTS
        return Fetch(
            url,
            key,
            kind,
            found_via,
            priority=source_priority(kind, url),
            headers=self._conditional(key, url) if conditional else {},
            page=page,
            depth=depth,
            source=source or url,
            again=again,
        )

    def _conditional(self, key: str, url: str) -> dict[str, str]:
        return {} if self.config.refresh else self.state.conditional_headers(key, url)
