"""Duplicate requests go through Scrapy's DUPEFILTER_CLASS seam: the frontier's filter by
default, any other by settings alone (issue 12, item 4)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from scrapy import Request
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from aggregator.config import Outlet
from aggregator.crawlconfig import CrawlConfig
from aggregator.crawlstate import CrawlState
from aggregator.frontier import Frontier
from aggregator.sites import site_for
from aggregator.store import Store
from spiders.dupefilter import FrontierDupeFilter
from tests.sites.generated import Server, WordPressSite

from .support import crawl, write_config

OUTLET = Outlet(key="wp", name="WP", url="http://a.example/wp/", platform="wordpress")


@pytest.fixture
def dupefilter() -> Iterator[FrontierDupeFilter]:
    """The project's dupefilter, asking the frontier of a crawl's spider."""
    store = Store("sqlite://")
    state = CrawlState.load(store, ["wp"])
    frontier = Frontier(CrawlConfig(), {"wp": OUTLET}, {"wp": site_for(OUTLET)}, state)
    crawler = get_crawler()
    crawler.spider = SimpleNamespace(frontier=frontier)  # type: ignore[assignment]
    yield FrontierDupeFilter.from_crawler(crawler)
    store.close()


def test_the_project_filters_duplicates_with_the_frontier() -> None:
    settings = Settings()
    settings.setmodule("aggregator.settings")
    assert settings["DUPEFILTER_CLASS"] == "spiders.dupefilter.FrontierDupeFilter"


def test_a_url_is_requested_once_a_run(dupefilter: FrontierDupeFilter) -> None:
    post = Request("http://a.example/wp/1/", meta={"outlet": "wp"})
    assert not dupefilter.request_seen(post)
    assert dupefilter.request_seen(post.replace(url="http://a.example/wp/1/#comments"))
    # Requests the frontier did not make are filtered by fingerprint, as Scrapy's filter does.
    other = Request("http://b.example/")
    assert not dupefilter.request_seen(other) and dupefilter.request_seen(other)


def test_a_redirect_hop_goes_through_so_scrapy_catches_a_loop(
    dupefilter: FrontierDupeFilter,
) -> None:
    first = Request("http://a.example/wp/loop/", meta={"outlet": "wp"})
    assert not dupefilter.request_seen(first)
    hop = first.replace(meta={"outlet": "wp", "redirect_urls": ["http://a.example/wp/loop2/"]})
    assert not dupefilter.request_seen(hop), "REDIRECT_MAX_TIMES ends a loop, as a fault"


@pytest.mark.e2e
@pytest.mark.slow
def test_a_dupefilter_that_remembers_earlier_runs_swallows_no_reread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a filter whose seen set outlives the crawl (scrapy-redis with SCHEDULER_PERSIST),
    the second run still re-reads its sources and fetches what is new or changed."""
    site = WordPressSite(count=6)
    settings = ["--set", "DUPEFILTER_CLASS=tests.crawl.dupefilters.RememberingDupeFilter"]
    monkeypatch.setenv("TEST_SEEN_DIR", str(tmp_path))
    with Server(site) as server:
        config = write_config(
            tmp_path / "outlets.toml", wp={"url": f"{server.url}/wp/", "platform": "wordpress"}
        )
        db_url = f"sqlite:///{tmp_path / 'store.sqlite'}"
        first = crawl(config, db_url, *settings)
        assert first.returncode == 0, first.stderr
        fetched = Counter(site.requested("/wp/20"))
        assert sorted(fetched) == sorted(f"/wp{p.path}" for p in site.posts)
        assert set(fetched.values()) == {1}
        assert (tmp_path / "requests.seen").stat().st_size > 0, "the filter saw the run"
        added, edited = site.add_post(), site.edit_post(3)
        site.clear()
        second = crawl(config, db_url, *settings)
        assert second.returncode == 0, second.stderr
        assert sorted(site.requested("/wp/20")) == sorted([f"/wp{added.path}", f"/wp{edited.path}"])
        assert {"/wp/feed/", "/wp/", "/robots.txt"} <= set(site.requested())
    assert "articles new 1, updated 1" in second.stdout
