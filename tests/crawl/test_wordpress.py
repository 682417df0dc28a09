"""A WordPress site over real HTTP: what is discovered, fetched, skipped and recorded, run after run."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import RunCli, rows
from tests.sites.generated import Server, WordPressSite

from .support import crawl, last_run, write_config

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def article_paths(hits: list[str]) -> list[str]:
    return [path for path in hits if path.startswith("/wp/20")]


@pytest.fixture(scope="module")
def wordpress(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Path, str]]:
    """A 12-post WordPress site, its outlets.toml and a store, shared by the runs below (in order)."""
    folder = tmp_path_factory.mktemp("wordpress")
    with Server(WordPressSite(count=12)) as server:
        config = write_config(
            folder / "outlets.toml",
            wp={"url": f"{server.url}/wp/", "platform": "wordpress", "name": "Border Notes"},
        )
        yield server, config, f"sqlite:///{folder / 'store.sqlite'}"


def test_first_run_finds_every_post_through_the_api_first(
    wordpress: tuple[Server, Path, str],
) -> None:
    server, config, db_url = wordpress
    result = crawl(config, db_url, "wp")
    assert result.returncode == 0, result.stderr
    hits = server.site.requested()
    # Every post fetched exactly once, under one URL (no ?utm_source, no #comments variants).
    fetched = Counter(article_paths(hits))
    assert sorted(fetched) == sorted(f"/wp{p.path}" for p in server.site.posts)
    assert set(fetched.values()) == {1}
    # Newest first: the REST API is read, page by page through X-WP-TotalPages, before the
    # home page, and every post is credited to it; the feed and sitemaps are read too.
    api_pages = [h for h in hits if "/wp-json/wp/v2/posts" in h]
    assert [h.split("page=")[1].split("&")[0] for h in api_pages] == ["1", "2", "3"]
    assert hits.index(api_pages[0]) < hits.index("/wp/")
    assert {"/wp/feed/", "/wp/sitemap_index.xml", "/wp/news-sitemap.xml"} <= set(hits)
    found_via = rows(
        db_url, "select found_via, count(*) from crawl_state where kind = 'article' group by 1"
    )
    assert found_via == [("api", 12)]
    # robots.txt obeyed: the disallowed drafts directory, linked from every page, is never fetched.
    assert not [h for h in hits if h.startswith("/wp/private/")]
    assert rows(db_url, "select count(*) from articles") == [(12,)]


def test_the_state_table_records_each_url(wordpress: tuple[Server, Path, str]) -> None:
    server, _, db_url = wordpress
    newest = server.site.posts[0]
    (state,) = rows(
        db_url,
        "select kind, found_via, status, http_status, etag, last_modified, lastmod, published,"
        " content_hash, first_seen, last_fetched from crawl_state where url like ?",
        f"%/wp{newest.path}",
    )
    kind, via, status, http, etag, last_modified, lastmod, published, digest, first, last = state
    assert (kind, via, status, http) == ("article", "api", "stored", 200)
    assert etag.startswith('"') and "GMT" in last_modified
    assert lastmod == published == newest.modified.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert len(digest) == 32 and first <= last
    kinds = dict(rows(db_url, "select kind, count(*) from crawl_state group by kind"))
    assert kinds["listing"] >= 5 and kinds["api"] == 3 and kinds["sitemap"] == 3
    assert kinds["robots"] == 1 and kinds["feed"] >= 1


def test_the_run_is_recorded(wordpress: tuple[Server, Path, str]) -> None:
    _, _, db_url = wordpress
    run = last_run(db_url)
    assert run["outlets"] == ["wp"] and run["finish_reason"] == "finished"
    assert run["finished_at"] >= run["started_at"]
    assert run["articles_new"] == 12 and run["stories_new"] == 12
    assert run["reposts_attached"] == 0
    assert run["drops"]["listing"] >= 5 and run["errors"] == {}
    # New URLs (12 posts, the listings), counted by the source that listed them first.
    assert sum(run["discovered"].values()) >= 12 + 5
    assert set(run["discovered"]) <= {"api", "feed", "news_sitemap", "sitemap", "archive", "link"}
    assert run["by_outlet"]["wp"]["articles_new"] == 12


def test_a_second_run_fetches_nothing_old(wordpress: tuple[Server, Path, str]) -> None:
    server, config, db_url = wordpress
    server.site.clear()
    result = crawl(config, db_url, "wp")
    assert result.returncode == 0, result.stderr
    hits = server.site.hits
    assert not article_paths([h.path for h in hits]), "no stored article is fetched again"
    # Discovery URLs are re-read every run, conditionally, and answer 304.
    reread = {h.path: (h.status, h.conditional) for h in hits}
    for path in ("/wp/feed/", "/wp/sitemap_index.xml", "/wp/", "/wp/tag/refugees/"):
        assert reread[path] == (304, True), path
    api = [h for h in hits if "/wp-json/" in h.path]
    assert len(api) == 1 and api[0].status == 304, "paging stops on a page with nothing new"
    assert not [h for h in hits if "/page/" in h.path], "later archive pages are not re-read"
    run = last_run(db_url)
    assert run["articles_new"] == 0 and run["pages_not_modified"] >= 6


def test_a_third_run_fetches_only_the_new_and_the_changed(
    wordpress: tuple[Server, Path, str],
) -> None:
    server, config, db_url = wordpress
    site = server.site
    added = site.add_post()
    edited = site.edit_post(10)  # an old post, listed on the last archive page
    site.clear()
    result = crawl(config, db_url, "wp")
    assert result.returncode == 0, result.stderr
    assert sorted(article_paths(site.requested())) == sorted(
        [f"/wp{added.path}", f"/wp{edited.path}"]
    )
    assert "articles new 1, updated 1, unchanged 0" in result.stdout
    (lastmod,) = rows(
        db_url, "select lastmod from crawl_state where url like ?", f"%/wp{edited.path}"
    )[0]
    assert lastmod == edited.modified.strftime("%Y-%m-%dT%H:%M:%SZ")
    # The home page changed (a new post on it): its next page is read; that one lists nothing
    # new (the edit is found through the API and sitemap), so paging stops there.
    assert "/wp/page/2/" in site.requested() and "/wp/page/3/" not in site.requested()


def test_state_show_and_reset(wordpress: tuple[Server, Path, str], run_cli: RunCli) -> None:
    server, config, db_url = wordpress
    shown = run_cli("state", "show", "--db", db_url, "--outlet", "wp", "--status", "stored")
    assert shown.returncode == 0, shown.stderr
    assert "article    stored        13" in shown.stdout
    assert f"{server.url}/wp{server.site.posts[0].path}" in shown.stdout
    reset = run_cli("state", "reset", "--db", db_url, "--outlet", "wp", "--yes")
    assert reset.returncode == 0 and "forgot" in reset.stdout
    assert rows(db_url, "select count(*) from crawl_state") == [(0,)]
    assert rows(db_url, "select count(*) from articles") == [(13,)], "articles stay"
    # Without state, the next run reads everything again and stores nothing twice.
    result = crawl(config, db_url, "wp")
    assert result.returncode == 0, result.stderr
    assert "articles new 0, updated 0, unchanged 13" in result.stdout
