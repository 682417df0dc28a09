"""The frontier's decisions without Scrapy: what a run fetches, in which order, and when it stops.

Each test builds a frontier over a real crawl state (an in-memory SQLite store)
and hands it what a response would have listed, as the spider does.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from aggregator import crawlstate as cs
from aggregator.config import Outlet
from aggregator.crawlconfig import CrawlConfig
from aggregator.crawlstate import CrawlState, DirectWrites, Fetched, Found
from aggregator.frontier import Answer, Fetch, Frontier, Tally
from aggregator.sites import site_for
from aggregator.store import Store

WP = Outlet(key="wp", name="WP", url="http://a.example/wp/", platform="wordpress")
NEWS = Outlet(
    key="news", name="News", url="http://a.example/news/", sitemaps=("http://a.example/news/s.xml",)
)
NOW = datetime(2016, 3, 1, tzinfo=UTC)


class Journal(CrawlState):
    """A crawl state that notes the order of its writes (and can fail one, like a full disk)."""

    def __init__(self, store: Store, urls: dict[str, dict[str, cs.UrlState]]) -> None:
        super().__init__(urls, DirectWrites(store))
        self.journal: list[tuple[str, str]] = []
        self.fail_queue = False

    def queue(self, outlet: str, found: Sequence[Found]) -> None:
        if self.fail_queue:
            raise OSError("disk full")
        self.journal += [("queue", f.url) for f in found]
        super().queue(outlet, found)

    def record(self, outlet: str, url: str, fetched: Fetched) -> None:
        self.journal.append((f"record {fetched.status}", url))
        super().record(outlet, url, fetched)


@pytest.fixture
def state() -> Iterator[Journal]:
    store = Store("sqlite://")
    loaded = CrawlState.load(store, ["wp", "news"])
    yield Journal(store, loaded.urls)
    store.close()


def frontier_for(state: CrawlState, *outlets: Outlet, **options: Any) -> Frontier:
    config = CrawlConfig(**options)
    chosen = outlets or (WP,)
    return Frontier(
        config,
        {o.key: o for o in chosen},
        {o.key: site_for(o) for o in chosen},
        state,
        Tally(),
    )


def tally(frontier: Frontier) -> Tally:
    assert isinstance(frontier.report, Tally)
    return frontier.report


def posts(*numbers: int, via: str = cs.FEED, published: datetime | None = None) -> list[Found]:
    return [Found(f"http://a.example/wp/{n}/", via, published=published) for n in numbers]


def ok(fetch: Fetch, etag: str | None = '"v1"') -> Answer:
    return Answer(200, fetch.url, etag=etag)


def test_importing_the_frontier_imports_no_scrapy() -> None:
    code = "import sys, aggregator.frontier; print('scrapy' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr


class TestStarting:
    def test_sources_come_newest_first_and_are_queued_before_they_are_asked_for(
        self, state: Journal
    ) -> None:
        frontier = frontier_for(state)
        robots, api, feed = frontier.discovery("wp")
        assert (robots.url, robots.reader) == ("http://a.example/robots.txt", "robots")
        assert (
            api.url.startswith("http://a.example/wp/wp-json/wp/v2/posts?") and "page=1" in api.url
        )
        assert (feed.url, feed.reader, feed.found_via) == (
            "http://a.example/wp/feed/",
            "feed",
            "config",
        )
        assert robots.priority > api.priority > feed.priority
        assert all(state.get("wp", f.url).status == cs.QUEUED for f in (robots, api, feed))
        assert not any(f.again for f in (robots, api, feed)), "nothing was known before"
        assert frontier.sources_pending, "archive pages wait for the API and the feed"

    def test_robots_txt_is_left_to_scrapy_when_it_fetches_it(self, state: Journal) -> None:
        frontier = replace_frontier(frontier_for(state), fetch_robots=False)
        assert [f.reader for f in frontier.discovery("wp")] == ["api", "feed"]
        fetch = frontier.robots_fetched("http://a.example/robots.txt")
        assert fetch is not None and fetch.outlet == "wp"
        assert frontier.robots_fetched("http://a.example/robots.txt") is None, "once a run"
        assert frontier.robots_fetched("http://b.example/robots.txt") is None, "no outlet's"

    def test_a_stopped_run_is_resumed_first_and_its_paging_goes_on(self, state: Journal) -> None:
        first = frontier_for(state)
        feed = next(f for f in first.discovery("wp") if f.reader == "feed")
        listed = first.feed_read(feed, ok(feed), posts(1, 2))
        assert [f.url for f in listed][-1] == "http://a.example/wp/feed/?paged=2"
        # The run is killed here: posts 1 and 2 and the second feed page stay queued.
        again = frontier_for(state)
        resumed = again.resume("wp")
        assert [(f.url, f.reader, f.page) for f in resumed] == [
            ("http://a.example/wp/feed/?paged=2", "feed", 2),
            ("http://a.example/wp/1/", "page", 1),
            ("http://a.example/wp/2/", "page", 1),
        ]
        assert all(f.again for f in resumed), "a dupefilter remembering runs must let them by"
        assert resumed[0].source == "http://a.example/wp/feed/"
        assert tally(again).counts["wp", "resumed"] == 2

    def test_archives_start_at_the_home_page_and_reread_first_pages_conditionally(
        self, state: Journal
    ) -> None:
        frontier = frontier_for(state)
        (home,) = frontier.archive("wp")
        assert (home.url, home.kind, home.headers) == ("http://a.example/wp/", cs.LISTING, {})
        frontier.links(home, ["/wp/tag/x/", "http://a.example/wp/page/2/"], [])
        for url in (
            "http://a.example/wp/",
            "http://a.example/wp/tag/x/",
            "http://a.example/wp/page/2/",
        ):
            state.record("wp", url, Fetched(cs.DROPPED, cs.LISTING, 200, "listing", etag='"h"'))
        next_run = frontier_for(state)
        rereads = {f.url: f for f in next_run.archive("wp")}
        assert set(rereads) == {"http://a.example/wp/", "http://a.example/wp/tag/x/"}, (
            "later archive pages are reached by paging, not re-read"
        )
        assert rereads["http://a.example/wp/tag/x/"].headers == {"If-None-Match": '"h"'}
        refreshing = frontier_for(state, refresh=True)
        assert all(f.headers == {} for f in refreshing.archive("wp")), "--refresh asks anew"


def replace_frontier(frontier: Frontier, **changes: object) -> Frontier:
    for name, value in changes.items():
        setattr(frontier, name, value)
    return frontier


class TestFeedsAndApis:
    def test_a_feed_page_asks_for_its_posts_then_the_next_page(self, state: Journal) -> None:
        frontier = frontier_for(state)
        feed = next(f for f in frontier.discovery("wp") if f.reader == "feed")
        assert frontier.source_answered(feed, ok(feed))
        fetches = frontier.feed_read(feed, ok(feed), posts(1, 2))
        assert [(f.url, f.reader, f.found_via) for f in fetches] == [
            ("http://a.example/wp/1/", "page", "feed"),
            ("http://a.example/wp/2/", "page", "feed"),
            ("http://a.example/wp/feed/?paged=2", "feed", "feed"),
        ]
        assert feed.url not in frontier.run.awaiting, "answered: archives wait for it no more"
        assert tally(frontier).counts["wp", "discovered/feed"] == 2

    def test_the_validators_are_kept_only_once_the_entries_are_queued(self, state: Journal) -> None:
        frontier = frontier_for(state)
        feed = next(f for f in frontier.discovery("wp") if f.reader == "feed")
        frontier.feed_read(feed, ok(feed), posts(1))
        writes = state.journal
        assert writes.index(("queue", "http://a.example/wp/1/")) < writes.index(
            ("record read", feed.url)
        )
        assert state.conditional_headers("wp", feed.url) == {"If-None-Match": '"v1"'}

    def test_a_crawl_stopped_while_queueing_reads_the_source_whole_next_time(
        self, state: Journal
    ) -> None:
        frontier = frontier_for(state)
        feed = next(f for f in frontier.discovery("wp") if f.reader == "feed")
        state.fail_queue = True
        with pytest.raises(OSError):
            frontier.feed_read(feed, ok(feed), posts(1))
        assert state.conditional_headers("wp", feed.url) == {}, "no 304 can hide its posts"

    def test_paging_stops_when_a_page_repeats_what_the_source_listed(self, state: Journal) -> None:
        frontier = frontier_for(state)
        feed = next(f for f in frontier.discovery("wp") if f.reader == "feed")
        *_, second = frontier.feed_read(feed, ok(feed), posts(1, 2))
        # A feed that ignores ?paged=N repeats its first page.
        assert frontier.feed_read(second, ok(second), posts(1, 2)) == []
        assert tally(frontier).counts["wp", "paging_stopped"] == 1

    def test_a_post_first_found_this_run_elsewhere_is_still_news_for_a_feed(
        self, state: Journal
    ) -> None:
        frontier = frontier_for(state)
        (home,) = frontier.archive("wp")
        frontier.links(home, ["http://a.example/wp/1/"], [])  # the home page answered first
        feed = next(f for f in frontier.discovery("wp") if f.reader == "feed")
        fetches = frontier.feed_read(feed, ok(feed), posts(1))
        assert [f.url for f in fetches] == ["http://a.example/wp/feed/?paged=2"]

    def test_the_api_pages_on_within_its_total_and_the_limit(self, state: Journal) -> None:
        frontier = frontier_for(state, max_api_pages=2)
        api = next(f for f in frontier.discovery("wp") if f.reader == "api")
        *pages, second = frontier.api_read(api, ok(api), posts(1, 2, via=cs.API), total_pages=5)
        assert len(pages) == 2 and "page=2" in second.url and second.page == 2
        assert second.source == "http://a.example/wp/wp-json/wp/v2/posts"
        (post,) = frontier.api_read(second, ok(second), posts(3, via=cs.API), total_pages=5)
        assert post.url == "http://a.example/wp/3/", "no third page: the limit is two"

    def test_entries_before_the_since_date_are_not_fetched(self, state: Journal) -> None:
        outlet = replace(WP, since=date(2016, 2, 1))
        frontier = frontier_for(state, outlet)
        api = next(f for f in frontier.discovery("wp") if f.reader == "api")
        assert "after=2016-02-01T00%3A00%3A00" in api.url
        old, new = NOW - timedelta(days=60), NOW
        found = posts(1, via=cs.API, published=new) + posts(2, via=cs.API, published=old)
        fetches = frontier.api_read(api, ok(api), found, total_pages=3)
        assert [f.url for f in fetches if f.reader == "page"] == ["http://a.example/wp/1/"]
        assert tally(frontier).counts["wp", "too_old"] == 1
        # A page with nothing since then ends the paging.
        nxt = fetches[-1]
        assert frontier.api_read(nxt, ok(nxt), posts(3, via=cs.API, published=old), 3) == []

    def test_a_304_leaves_the_state_alone(self, state: Journal) -> None:
        frontier = frontier_for(state)
        feed = next(f for f in frontier.discovery("wp") if f.reader == "feed")
        frontier.feed_read(feed, ok(feed), posts(1))
        again = frontier_for(state)
        feed = next(f for f in again.discovery("wp") if f.reader == "feed")
        assert feed.headers == {"If-None-Match": '"v1"'} and feed.again
        assert not again.source_answered(feed, Answer(304, feed.url))
        known = state.get("wp", feed.url)
        assert known is not None and (known.status, known.etag) == (cs.READ, '"v1"')
        assert tally(again).counts["wp", "not_modified"] == 1


class TestSitemaps:
    def sitemap(self, frontier: Frontier) -> Fetch:
        return next(f for f in frontier.discovery("news") if f.reader == "sitemap")

    def children(self, *numbers: int, lastmod: datetime | None = None) -> list[Found]:
        return [
            Found(f"http://a.example/news/s{n}.xml", cs.SITEMAP, cs.SITEMAP, lastmod=lastmod)
            for n in numbers
        ]

    def test_an_index_asks_for_its_sitemaps_within_the_budget_said_once(
        self, state: Journal
    ) -> None:
        frontier = frontier_for(state, NEWS, max_sitemaps=2)
        index = self.sitemap(frontier)
        assert index.reader == "sitemap" and index.found_via == cs.CONFIG
        fetches = frontier.sitemap_read(index, ok(index), self.children(1, 2, 3), [])
        assert [(f.url[-7:], f.depth) for f in fetches] == [("/s1.xml", 1), ("/s2.xml", 1)]
        frontier.sitemap_read(fetches[0], ok(fetches[0]), self.children(4, 5), [])
        assert [kind for _, kind, _ in tally(frontier).faults] == ["sitemap_too_many"]

    def test_nesting_past_the_depth_is_a_fault(self, state: Journal) -> None:
        frontier = frontier_for(state, NEWS, sitemap_depth=1)
        index = self.sitemap(frontier)
        (child,) = frontier.sitemap_read(index, ok(index), self.children(1), [])
        assert frontier.sitemap_read(child, ok(child), self.children(2), []) == []
        assert [kind for _, kind, _ in tally(frontier).faults] == ["sitemap_too_deep"]

    def test_an_unchanged_sitemap_is_not_read_again(self, state: Journal) -> None:
        first = frontier_for(state, NEWS)
        index = self.sitemap(first)
        (child,) = first.sitemap_read(index, ok(index), self.children(1, lastmod=NOW), [])
        first.sitemap_read(child, ok(child), [], [])
        again = frontier_for(state, NEWS)
        index = self.sitemap(again)
        assert again.sitemap_read(index, ok(index), self.children(1, lastmod=NOW), []) == []
        assert tally(again).counts["news", "sitemaps_unchanged"] == 1

    def test_robots_txt_sitemaps_go_to_the_outlets_they_cover(self, state: Journal) -> None:
        frontier = frontier_for(state, WP, NEWS)
        robots = next(f for f in frontier.discovery("wp") if f.reader == "robots")
        sitemaps = ["http://a.example/wp/sitemap.xml", "http://a.example/news/more.xml"]
        fetches = frontier.robots_read(robots, ok(robots, None), [*sitemaps, "http://b.example/"])
        assert sorted((f.outlet, f.url, f.found_via) for f in fetches) == [
            ("news", "http://a.example/news/more.xml", cs.ROBOTS),
            ("wp", "http://a.example/wp/sitemap.xml", cs.ROBOTS),
        ]


class TestPages:
    def test_links_are_asked_for_once_and_archives_page_on_while_new(self, state: Journal) -> None:
        frontier = frontier_for(state)
        (home,) = frontier.archive("wp")
        links = ["http://a.example/wp/1/", "http://a.example/wp/1/#comments", "http://b.example/"]
        fetches = frontier.links(home, links, ["http://a.example/wp/page/2/"])
        assert [(f.url, f.kind, f.found_via) for f in fetches] == [
            ("http://a.example/wp/1/", cs.PAGE, cs.ARCHIVE),
            ("http://a.example/wp/page/2/", cs.LISTING, cs.ARCHIVE),
        ]
        assert fetches[1].source == home.url, "the second page continues the home page"
        assert (
            frontier.links(home, ["http://a.example/wp/1/"], ["http://a.example/wp/page/2/"]) == []
        )

    def test_only_a_paged_sources_listings_are_remembered(self, state: Journal) -> None:
        """What an article page links to is never compared again: the run does not keep it."""
        frontier = frontier_for(state)
        (home,) = frontier.archive("wp")
        (post, second) = frontier.links(
            home, ["http://a.example/wp/1/"], ["http://a.example/wp/page/2/"]
        )
        frontier.links(post, ["http://a.example/wp/2/", "http://a.example/wp/3/"], [])
        assert list(frontier.run.listed) == [("wp", home.url)]
        frontier.links(second, ["http://a.example/wp/4/"], [])
        assert frontier.run.listed["wp", home.url] == {
            "http://a.example/wp/1/",
            "http://a.example/wp/4/",
        }, "a later page's entries join its source's"

    def test_a_stored_archive_stops_paging_where_nothing_is_new(self, state: Journal) -> None:
        frontier = frontier_for(state)
        (home,) = frontier.archive("wp")
        frontier.links(home, ["http://a.example/wp/1/"], ["http://a.example/wp/page/2/"])
        state.record("wp", "http://a.example/wp/1/", Fetched(cs.STORED, cs.ARTICLE, 200))
        state.record(
            "wp", "http://a.example/wp/page/2/", Fetched(cs.DROPPED, cs.LISTING, 200, "listing")
        )
        again = frontier_for(state)
        (home,) = again.archive("wp")
        assert again.links(home, ["http://a.example/wp/1/"], ["http://a.example/wp/page/2/"]) == []
        assert tally(again).counts["wp", "paging_stopped"] == 1
        assert tally(again).counts["wp", "skipped"] == 1

    def test_the_per_run_page_cap(self, state: Journal) -> None:
        frontier = frontier_for(state, replace(WP, max_pages=2))
        (home,) = frontier.archive("wp")
        fetches = frontier.links(home, [f"http://a.example/wp/{n}/" for n in (1, 2, 3)], [])
        assert [f.url for f in fetches] == ["http://a.example/wp/1/"]
        assert tally(frontier).counts["wp", "skipped_max_pages"] == 2

    def test_only_a_start_page_announces_feeds_each_asked_for_once(self, state: Journal) -> None:
        frontier = frontier_for(state)
        (home,) = frontier.archive("wp")
        announced = ["http://a.example/wp/atom.xml", "http://a.example/wp/rss.xml"]
        fetches = frontier.announced_feeds(home, announced)
        assert [(f.url, f.reader, f.found_via) for f in fetches] == [
            ("http://a.example/wp/atom.xml", "feed", cs.FEED),
            ("http://a.example/wp/rss.xml", "feed", cs.FEED),
        ]
        assert frontier.announced_feeds(home, announced) == [], "once a run"
        article = Fetch("http://a.example/wp/1/", "wp", cs.PAGE, cs.FEED)
        assert frontier.announced_feeds(article, ["http://a.example/wp/other.xml"]) == []


class TestFailures:
    def test_a_missing_api_ends_the_source_and_a_timeout_is_a_fault(self, state: Journal) -> None:
        frontier = frontier_for(state)
        _, api, feed = frontier.discovery("wp")
        frontier.failed(api, "HttpError", "Ignoring non-200 response", 404)
        frontier.failed(feed, "DownloadTimeoutError", "took longer than 2 seconds", None)
        assert tally(frontier).counts["wp", "api_missing"] == 1
        assert tally(frontier).faults == [("wp", "timeout", feed.url)]
        assert (state.get("wp", api.url).status, state.get("wp", feed.url).status) == (
            cs.READ,
            cs.ERROR,
        )
        assert not frontier.sources_pending, "archives need not wait for failed sources"

    def test_a_refused_url_is_never_asked_for_again(self, state: Journal) -> None:
        frontier = frontier_for(state)
        (home,) = frontier.archive("wp")
        (feed,) = frontier.announced_feeds(home, ["http://a.example/wp/other.xml"])
        frontier.refused(feed, "private_address")
        again = frontier_for(state)
        (home,) = again.archive("wp")
        assert again.announced_feeds(home, ["http://a.example/wp/other.xml"]) == []
        known = state.get("wp", feed.url)
        assert known is not None and known.detail == "refused_private_address"


def test_the_dupefilters_question_each_url_once_a_run(state: Journal) -> None:
    frontier = frontier_for(state)
    assert frontier.admit("wp", "http://a.example/wp/1/")
    assert not frontier.admit("wp", "http://a.example/wp/1/#comments"), "the same page"
    assert frontier.admit("news", "http://a.example/wp/1/"), "per outlet"
