"""The crawl's decisions without Scrapy: state planning, discovery parsers, faults, sites, politeness."""

from __future__ import annotations

import gzip
import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from lxml import html
from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from aggregator import crawlstate as cs
from aggregator.charsets import decode_html
from aggregator.config import check_config, load_config
from aggregator.crawlstate import CrawlState, Fetched, Found, UrlState, plan
from aggregator.discovery import api_entries, feed_entries, read_limited
from aggregator.errors import NotAFeed, NotAnApiPage, NotASitemap, TooLarge
from aggregator.faults import error_kind, retry_after_seconds
from aggregator.sites import site_for
from aggregator.store import Store
from spiders.politeness import ConfiguredDelayMiddleware, configure_politeness, user_agent
from spiders.sitemaps import robots_sitemaps, sitemap_entries
from tests.helpers import REPO

NOW = datetime(2016, 3, 1, 12, tzinfo=UTC)


def known(status: str, kind: str = cs.ARTICLE, **values: object) -> UrlState:
    return UrlState("http://a.example/p/", kind, cs.FEED, status, NOW, **values)


class TestPlan:
    def test_new_queued_and_failed_urls_are_fetched(self) -> None:
        found = Found("http://a.example/p/", cs.FEED)
        assert plan(None, found) == cs.NEW
        assert plan(known(cs.QUEUED), found) == cs.RESUME
        assert plan(known(cs.ERROR), found) == cs.RETRY

    def test_stored_articles_are_left_alone_unless_changed_or_refreshed(self) -> None:
        stored = known(cs.STORED, last_fetched=NOW, lastmod=NOW - timedelta(days=1))
        assert plan(stored, Found(stored.url, cs.SITEMAP)) is None
        assert plan(stored, Found(stored.url, cs.SITEMAP, lastmod=NOW - timedelta(days=1))) is None
        assert (
            plan(stored, Found(stored.url, cs.API, lastmod=NOW + timedelta(hours=1))) == cs.CHANGED
        )
        assert plan(stored, Found(stored.url, cs.FEED), refresh=True) == cs.REFRESH

    def test_listings_are_for_the_spider_to_reread_and_drops_stay_dropped(self) -> None:
        found = Found("http://a.example/p/", cs.LINK)
        assert plan(known(cs.DROPPED, kind=cs.LISTING), found) == cs.REREAD
        assert plan(known(cs.DROPPED, kind=cs.PAGE, detail="too_short"), found) is None


class TestCrawlState:
    def test_queue_record_and_reload(self, db_url: str) -> None:
        store = Store(db_url)
        state = CrawlState.load(store, ["a"])
        url = "http://a.example/p/"
        state.queue("a", [Found(url, cs.SITEMAP, lastmod=NOW)])
        state.note("a", [Found(url, cs.API)])  # a more direct source takes the credit
        state.record(
            "a",
            url,
            Fetched(cs.STORED, kind=cs.ARTICLE, http_status=200, etag='"x"', content_hash="h"),
        )
        again = CrawlState.load(store, ["a"]).get("a", url)
        assert again is not None
        assert (again.status, again.found_via, again.lastmod, again.etag) == (
            cs.STORED,
            cs.API,
            NOW,
            '"x"',
        )
        assert CrawlState.load(store, ["a"]).conditional_headers("a", url) == {
            "If-None-Match": '"x"'
        }
        # A 304 keeps the validators it answered to.
        state.record("a", url, Fetched(cs.STORED, http_status=304))
        assert CrawlState.load(store, ["a"]).get("a", url).etag == '"x"'
        assert cs.reset(store, "a") == 1
        assert CrawlState.load(store, ["a"]).urls["a"] == {}, "reset forgets every URL"
        store.close()

    def test_a_queued_snapshot_never_overwrites_a_later_answer(self, db_url: str) -> None:
        """Two crawl processes (cluster workers) queue one URL while one of them fetches it:
        the other's queued snapshot, older than the answer, reaches the store after it."""
        url = "http://a.example/p/"
        with Store(db_url) as store:
            one, other = CrawlState.load(store, ["a"]), CrawlState.load(store, ["a"])
            one.queue("a", [Found(url, cs.FEED)])
            one.record("a", url, Fetched(cs.STORED, kind=cs.ARTICLE, http_status=200))
            other.urls["a"][url] = replace(one.get("a", url), status=cs.QUEUED, last_fetched=None)
            other.queue("a", [Found(url, cs.SITEMAP)])  # stale: taken before the answer
            assert CrawlState.load(store, ["a"]).get("a", url).status == cs.STORED
            one.queue("a", [Found(url, cs.FEED)])  # queued again after the answer, knowingly
            assert CrawlState.load(store, ["a"]).get("a", url).status == cs.QUEUED


class TestDiscovery:
    def test_news_sitemap_dates_and_lastmod(self) -> None:
        body = (
            b"<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9' "
            b"xmlns:news='http://www.google.com/schemas/sitemap-news/0.9'>"
            b"<url><loc>http://a.example/1/</loc><lastmod>2016-02-01</lastmod>"
            b"<news:news><news:publication_date>2016-01-31T10:00:00+01:00</news:publication_date>"
            b"</news:news></url><url><loc>http://a.example/2/</loc></url></urlset>"
        )
        first, second = sitemap_entries(body, 1_000_000)
        assert first.is_news and first.published == datetime(2016, 1, 31, 9, tzinfo=UTC)
        assert first.lastmod == datetime(2016, 2, 1, tzinfo=UTC)
        assert not second.is_news and second.lastmod is None

    def test_a_gzip_bomb_stops_at_the_limit(self) -> None:
        bomb = gzip.compress(b"<urlset>" + b" " * 5_000_000 + b"</urlset>")
        assert len(bomb) < 10_000
        with pytest.raises(TooLarge, match="more than 1000000 bytes"):
            read_limited(bomb, 1_000_000)
        assert read_limited(gzip.compress(b"<urlset/>"), 100) == b"<urlset/>"
        with pytest.raises(TooLarge):
            sitemap_entries(bomb, 1_000_000)

    def test_sitemaps_are_read_by_scrapys_parser_within_their_limits(self) -> None:
        index = gzip.compress(
            b"<sitemapindex xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'><sitemap>"
            b"<loc>http://a.example/s1.xml</loc><lastmod>2016-01-02</lastmod></sitemap>"
            b"</sitemapindex>"
        )
        (child,) = sitemap_entries(index, 10_000)
        assert child.is_sitemap and child.lastmod == datetime(2016, 1, 2, tzinfo=UTC)
        for body in (b"", b"not xml", b"<html><body>a page</body></html>"):
            with pytest.raises(NotASitemap):
                sitemap_entries(body, 10_000)
        # Entities are never expanded: a billion laughs reads as an empty location.
        laughs = (
            b"<?xml version='1.0'?><!DOCTYPE l [<!ENTITY a 'lol'><!ENTITY b '&a;&a;&a;'>]>"
            b"<urlset><url><loc>&b;</loc></url><url><loc>http://a.example/p/</loc></url></urlset>"
        )
        assert [e.url for e in sitemap_entries(laughs, 10_000)] == ["http://a.example/p/"]

    def test_robots_sitemaps_and_api_pages(self) -> None:
        robots = (
            b"User-agent: *\nDisallow: /x/\nSitemap: /sitemap.xml\nsitemap: http://b.example/s.xml\n"
            b"Sitemap: /sitemap.xml\n"
        )
        assert robots_sitemaps(robots, "http://a.example/robots.txt") == [
            "http://a.example/sitemap.xml",
            "http://b.example/s.xml",
        ]
        (post,) = api_entries(
            b'[{"link": "http://a.example/p/", "date_gmt": "2016-01-02T03:04:05",'
            b' "modified_gmt": "2016-01-03T00:00:00"}]'
        )
        assert post.published == datetime(2016, 1, 2, 3, 4, 5, tzinfo=UTC)
        assert post.modified == datetime(2016, 1, 3, tzinfo=UTC)
        with pytest.raises(NotAnApiPage):
            api_entries(b'{"code": "rest_no_route"}')

    def test_atom_entries_carry_their_updated_time(self) -> None:
        body = (
            b"<feed xmlns='http://www.w3.org/2005/Atom'><entry><link href='/p/'/>"
            b"<published>2016-01-01T00:00:00Z</published><updated>2016-01-05T00:00:00Z</updated>"
            b"</entry></feed>"
        )
        (entry,) = feed_entries(body, "http://a.example/feed/")
        assert entry.url == "http://a.example/p/"
        assert entry.updated == datetime(2016, 1, 5, tzinfo=UTC)

    def test_rss_items_by_link_or_permalink_guid(self) -> None:
        body = (
            b"<rss version='2.0'><channel><item><guid>http://a.example/g/</guid>"
            b"<pubDate>Mon, 04 Jan 2016 09:00:00 +0100</pubDate></item>"
            b"<item><link>/rel/</link></item><item><title>no link</title></item></channel></rss>"
        )
        first, second = feed_entries(body, "http://a.example/feed/")
        assert (first.url, first.published) == (
            "http://a.example/g/",
            datetime(2016, 1, 4, 8, tzinfo=UTC),
        )
        assert (second.url, second.published) == ("http://a.example/rel/", None)

    def test_json_feed_items(self) -> None:
        body = (
            b'\xef\xbb\xbf{"version": "https://jsonfeed.org/version/1.1", "items": ['
            b'{"id": "1", "url": "/p/1/", "date_published": "2016-01-02T03:04:05+01:00",'
            b' "date_modified": "2016-01-03T00:00:00Z"}, {"id": "2"}, "junk"]}'
        )
        (entry,) = feed_entries(body, "http://a.example/feed.json")
        assert entry.url == "http://a.example/p/1/"
        assert entry.published == datetime(2016, 1, 2, 2, 4, 5, tzinfo=UTC)
        assert entry.updated == datetime(2016, 1, 3, tzinfo=UTC)
        with pytest.raises(NotAFeed, match=r"jsonfeed\.org"):
            feed_entries(b'{"items": []}', "http://a.example/feed.json")

    def test_what_is_not_a_feed_is_refused_with_its_kind(self, tmp_path: Path) -> None:
        # A body naming a file is text, not that file (feedparser opens bytes naming a file).
        named = tmp_path / "feed.xml"
        named.write_bytes(
            b"<rss version='2.0'><channel><item><link>http://a/</link></item></channel></rss>"
        )
        for body in (b"<html><body>not a feed</body></html>", b"{not json", str(named).encode()):
            with pytest.raises(NotAFeed) as caught:
                feed_entries(body, "http://a.example/feed/")
            assert caught.value.kind == "feed_invalid"

    def test_feed_entities_are_refused_and_external_ones_never_read(self, tmp_path: Path) -> None:
        laughs = "".join(
            f"<!ENTITY l{i} '{f'&l{i - 1};' * 10 if i else 'lol'}'>" for i in range(10)
        )
        body = (
            f"<?xml version='1.0'?><!DOCTYPE rss [{laughs}]><rss version='2.0'><channel>"
            "<item><link>http://a.example/&l9;</link></item></channel></rss>"
        ).encode()
        with pytest.raises(NotAFeed, match="entities"):
            feed_entries(body, "http://a.example/feed/")
        secret = tmp_path / "secret.txt"
        secret.write_text("SECRET", encoding="utf-8")
        xxe = (
            f"<?xml version='1.0'?>\n<!DOCTYPE rss [\n<!ENTITY x SYSTEM '{secret.as_uri()}'>\n]>"
            "<rss version='2.0'><channel><item><link>http://a.example/&x;</link></item>"
            "</channel></rss>"
        ).encode()
        with pytest.raises(NotAFeed, match="entities"):
            feed_entries(xxe, "http://a.example/feed/")


class TestFaults:
    def test_error_kinds(self) -> None:
        assert error_kind("DownloadTimeoutError") == "timeout"
        assert error_kind("CannotResolveHostError") == "dns"
        assert error_kind("HttpError", status=503) == "http_503"
        assert error_kind("IgnoreRequest", "max redirections reached") == "redirect_loop"
        assert error_kind("ResponseDataLossError") == "truncated"

    def test_retry_after_takes_seconds_or_a_date(self) -> None:
        assert retry_after_seconds("120") == 120.0
        assert retry_after_seconds("Tue, 01 Mar 2016 12:00:30 GMT", now=NOW) == 30.0
        assert retry_after_seconds("soon") is None

    def test_charsets(self) -> None:
        text = "<p>café naïve</p>"
        assert decode_html(text.encode(), "iso-8859-1") == (text, "wrong_charset")
        assert decode_html(text.encode("cp1252"), None) == (text, "missing_charset")
        assert decode_html(b"<meta charset='cp1252'><p>caf\xe9</p>", None)[1] is None
        assert decode_html(text.encode(), "utf-8") == (text, None)


class TestSites:
    def test_pagination_and_load_more(self, tmp_path: Path) -> None:
        path = tmp_path / "outlets.toml"
        path.write_text(
            '[outlets.wp]\nurl = "http://a.example/blog/"\nplatform = "wordpress"\n'
            '[outlets.cfr]\nurl = "http://c.example/blog/asia"\nsite = "cfr"\n',
            encoding="utf-8",
        )
        config = load_config(path)
        wp, cfr = site_for(config.outlets["wp"]), site_for(config.outlets["cfr"])
        assert wp.is_pagination("http://a.example/blog/page/2/")
        assert wp.is_pagination("http://a.example/blog/feed/?paged=3")
        assert not wp.is_pagination("http://a.example/blog/tag/x/")
        assert wp.api_url() == "http://a.example/blog/wp-json/wp/v2/posts"
        assert (
            wp.feed_page("http://a.example/blog/feed/", 2) == "http://a.example/blog/feed/?paged=2"
        )
        assert cfr.api_url() is None
        tree = html.fromstring(
            "<div><button class='load-more' data-next-page='3'>More</button></div>"
        )
        assert cfr.next_pages(tree, "http://c.example/blog/asia?page=2") == [
            "http://c.example/blog/asia?page=3"
        ]


class TestConfig:
    def test_the_crawl_options(self, tmp_path: Path) -> None:
        path = tmp_path / "outlets.toml"
        path.write_text(
            '[outlets.a]\nurl = "https://a.example/"\nsince = 2016-01-20\nconcurrency = 2\n'
            'delay = 1\ntimezone = "Asia/Seoul"\n',
            encoding="utf-8",
        )
        outlet = load_config(path).outlets["a"]
        assert (outlet.since, outlet.concurrency, outlet.delay) == (date(2016, 1, 20), 2, 1.0)
        assert outlet.since_datetime == datetime(2016, 1, 19, 15, tzinfo=UTC)

    def test_check_reports_every_error(self, tmp_path: Path) -> None:
        path = tmp_path / "outlets.toml"
        path.write_text(
            '[outlets.a]\nurl = "https://a.example/"\nconcurrency = 0\nsince = "soon"\n\n'
            '[outlets.b]\nurl = "https://b.example/"\nsite = "drupal"\n',
            encoding="utf-8",
        )
        problems = check_config(path)
        assert [p.split(": ")[0:2] for p in problems] == [
            [f"{path}:3", "outlets.a.concurrency"],
            [f"{path}:4", "outlets.a.since"],
            [f"{path}:8", "outlets.b.site"],
        ]


class TestPoliteness:
    def test_user_agent_names_the_project_and_the_contact(self) -> None:
        assert user_agent("mailto:desk@example.org").endswith("(+mailto:desk@example.org)")
        assert user_agent("").startswith("aggregator/")

    def test_outlets_on_one_host_share_the_most_cautious_slot(self, tmp_path: Path) -> None:
        path = tmp_path / "outlets.toml"
        path.write_text(
            '[outlets.a]\nurl = "https://h.example/a/"\nconcurrency = 4\ndelay = 0.5\n'
            '[outlets.b]\nurl = "https://h.example/b/"\nconcurrency = 1\n',
            encoding="utf-8",
        )
        settings = Settings({"AGGREGATOR_CONTACT": "https://example.org/crawler"})
        configure_politeness(settings, load_config(path).outlets.values())
        assert settings.getdict("DOWNLOAD_SLOTS") == {"h.example": {"concurrency": 1, "delay": 0.5}}
        assert settings["USER_AGENT"].endswith("(+https://example.org/crawler)")

    def test_autothrottle_leaves_a_configured_delay_alone(self) -> None:
        slots = {"h.example": {"delay": 2.0}, "c.example": {"concurrency": 1}}
        middleware = ConfiguredDelayMiddleware.from_crawler(
            get_crawler(settings_dict={"AUTOTHROTTLE_ENABLED": True, "DOWNLOAD_SLOTS": slots})
        )
        slow, other = Request("https://h.example/a"), Request("https://c.example/a")
        middleware.process_request(slow)
        middleware.process_request(other)
        assert slow.meta["autothrottle_dont_adjust_delay"] is True
        assert "autothrottle_dont_adjust_delay" not in other.meta
        for off in (
            {"AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_SLOTS": slots},
            {"AUTOTHROTTLE_ENABLED": True, "DOWNLOAD_SLOTS": {"c.example": {"concurrency": 1}}},
        ):
            with pytest.raises(NotConfigured):
                ConfiguredDelayMiddleware.from_crawler(get_crawler(settings_dict=off))

    def test_scrapy_internals_are_reached_only_where_waived(self) -> None:
        """Public Scrapy seams only (issue 12, item 4); one waiver: the Retry-After slot pause."""
        private = re.compile(r"\._retry\(|_response_downloaded|per_slot_settings|downloader\.slots")
        uses = [
            f"{path.relative_to(REPO)}:{number}"
            for package in ("spiders", "pipelines")
            for path in sorted((REPO / package).rglob("*.py"))
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
            if private.search(line)
        ]
        assert len(uses) == 1 and uses[0].startswith("spiders/politeness.py:"), uses
