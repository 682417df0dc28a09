"""Outlet options over real HTTP: a site adapter (CFR's "Load more" listing), allow patterns,
URL normalisation, and the since-date."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from tests.helpers import rows
from tests.sites.generated import CfrSite, Server, WordPressSite

from .support import crawl, last_run, write_config

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_a_site_adapter_pages_a_load_more_listing(tmp_path: Path) -> None:
    site = CfrSite(count=9)
    with Server(site) as server:
        config = write_config(
            tmp_path / "outlets.toml",
            cfr={
                "url": f"{server.url}/cfr/blog/asia-unbound",
                "allow": ["/cfr/blog/"],
                "site": "cfr",
                "name": "Council on Foreign Relations",
            },
        )
        db_url = f"sqlite:///{tmp_path / 'store.sqlite'}"
        result = crawl(config, db_url, "cfr")
        assert result.returncode == 0, result.stderr
        hits = site.requested()
    # The listing has no links to its next pages, only a button: the adapter pages it.
    assert {"/cfr/blog/asia-unbound?page=1", "/cfr/blog/asia-unbound?page=2"} <= set(hits)
    # Listing links carry ?utm_medium=listing; each article is fetched and stored under one URL.
    posts = [h for h in hits if h.startswith("/cfr/blog/asia-post")]
    assert sorted(Counter(posts)) == sorted(f"/cfr/blog/{p.slug}" for p in site.posts)
    assert set(Counter(posts).values()) == {1}
    stored = {url for (url,) in rows(db_url, "select url from articles")}
    assert stored == {f"{server.url}/cfr/blog/{p.slug}" for p in site.posts}


def test_nothing_before_the_since_date_is_stored(tmp_path: Path) -> None:
    site = WordPressSite(count=12)
    since = site.posts[5].published + timedelta(hours=1)  # the six newest posts are after it
    with Server(site) as server:
        config = write_config(
            tmp_path / "outlets.toml",
            wp={
                "url": f"{server.url}/wp/",
                "platform": "wordpress",
                "since": since.date().isoformat(),
            },
        )
        db_url = f"sqlite:///{tmp_path / 'store.sqlite'}"
        result = crawl(config, db_url, "wp")
        assert result.returncode == 0, result.stderr
        hits = site.requested()
    recent = [p for p in site.posts if p.published.date() >= since.date()]
    stored = {url.removeprefix(server.url) for (url,) in rows(db_url, "select url from articles")}
    assert stored == {f"/wp{p.path}" for p in recent}
    # The REST API is asked only for posts after the date, and its paging stops there.
    api = [h for h in hits if "/wp-json/" in h]
    assert all("after=" in h for h in api) and len(api) <= 2
    run = last_run(db_url)
    assert run["by_outlet"]["wp"]["too_old"] >= 6, "older feed and sitemap entries are not fetched"
