"""Feeds read by feedparser and robots.txt read once per host, over real HTTP (issue 12, item 5)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import rows
from tests.sites.feeds import FeedSite
from tests.sites.generated import Server

from .support import crawl, last_run, stored_paths, write_config

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture(scope="module")
def feeds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Path, str]]:
    """Two outlets on one host: one announces a JSON Feed, the other configures an Atom feed."""
    folder = tmp_path_factory.mktemp("feeds")
    with Server(FeedSite()) as server:
        config = write_config(
            folder / "outlets.toml",
            jsonblog={"url": f"{server.url}/json/"},
            atomblog={"url": f"{server.url}/atom/", "feeds": [f"{server.url}/atom/feed.atom"]},
        )
        yield server, config, f"sqlite:///{folder / 'store.sqlite'}"


def test_json_and_atom_feeds_are_read(feeds: tuple[Server, Path, str]) -> None:
    server, config, db_url = feeds
    result = crawl(config, db_url)
    assert result.returncode == 0, result.stderr
    site = server.site
    assert stored_paths(db_url, server) == set(site.paths("json")) | set(site.paths("atom"))
    assert last_run(db_url)["errors"] == {}
    via = rows(
        db_url, "select found_via, count(*) from crawl_state where kind = 'article' group by 1"
    )
    assert via == [("feed", 6)]
    feed_rows = dict(rows(db_url, "select url, status from crawl_state where kind = 'feed'"))
    assert feed_rows[f"{server.url}/json/feed.json"] == "read"
    assert feed_rows[f"{server.url}/atom/feed.atom"] == "read"
    assert set(feed_rows.values()) == {"read"}, "pages past the first are read too"
    assert "/atom/c/" not in site.requested(), "an Atom entry's replies link is not its page"


def test_robots_txt_is_fetched_once_per_host_per_run(feeds: tuple[Server, Path, str]) -> None:
    server, config, db_url = feeds
    assert server.site.requested("/robots.txt") == ["/robots.txt"], "the first run"
    server.site.clear()
    result = crawl(config, db_url)
    assert result.returncode == 0, result.stderr
    assert server.site.requested("/robots.txt") == ["/robots.txt"], "the second run"
    assert last_run(db_url)["errors"] == {}, "the announced JSON Feed is read again, not refused"
    assert rows(db_url, "select status from crawl_state where url like '%/robots.txt'") == [
        ("read",)
    ]
