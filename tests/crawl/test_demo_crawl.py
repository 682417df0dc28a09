"""End to end: crawl sites served on 127.0.0.1 with the real spider and pipelines, in a subprocess."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from aggregator.demo import DEMO_CONFIG, DEMO_URL_VARIABLE, DemoSite
from aggregator.extract.chrome import LEAK_PHRASES

from ..helpers import REPO, RunCli, rows

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
FAULTY_SITE = REPO / "tests" / "sites" / "faulty"
CFR_URL = "/cfr/asia/2012/10/16/the-underground-railroad-from-north-korea-to-freedom/"
HTW_URL = "/htw/2012/10/20/the-underground-railroad-from-north-korea-to-freedom/"


@pytest.fixture(scope="module")
def demo_crawl(
    tmp_path_factory: pytest.TempPathFactory, run_cli: RunCli
) -> Iterator[tuple[str, DemoSite, str]]:
    """One crawl of the three demo outlets, shared by the assertions below."""
    db_url = f"sqlite:///{tmp_path_factory.mktemp('crawl') / 'store.sqlite'}"
    with DemoSite() as site:
        env = {DEMO_URL_VARIABLE: site.url}
        result = run_cli(
            "crawl",
            "demo-htw",
            "demo-cfr",
            "demo-rrm",
            "--config",
            str(DEMO_CONFIG),
            "--db",
            db_url,
            env=env,
        )
        assert result.returncode == 0, result.stderr
        yield db_url, site, result.stdout


def test_the_demo_crawl_finds_the_seed_stories(demo_crawl: tuple[str, DemoSite, str]) -> None:
    db_url, site, _ = demo_crawl
    (story_id, canonical_url, reason) = rows(
        db_url,
        "select s.id, a.url, s.canonical_reason from stories s join articles a on a.id = s.canonical_article_id"
        f" where a.url = '{site.url}{CFR_URL}'",
    )[0]
    assert canonical_url == site.url + CFR_URL
    assert reason == "credited as the source by 1 repost"
    reposts = rows(
        db_url,
        f"select url, role, containment from articles where story_id = {story_id} and url != '{canonical_url}'",
    )
    assert [(url, role) for url, role, _ in reposts] == [(site.url + HTW_URL, "excerpt")]
    assert reposts[0][2] > 0.95
    # The ISN repost is a story of its own, credited to ISN Blog; the opinion piece stands alone.
    isn = rows(db_url, "select story_id, role from articles where attribution_outlet = 'ISN Blog'")
    assert isn == [(isn[0][0], "canonical")]
    assert rows(db_url, "select role from articles where attribution_author = 'Evan Jones'") == [
        ("canonical",)
    ]


def test_listing_pages_are_never_stored(demo_crawl: tuple[str, DemoSite, str]) -> None:
    db_url, _, stdout = demo_crawl
    urls = [url for (url,) in rows(db_url, "select url from articles")]
    assert len(urls) == 11
    assert not [
        u
        for u in urls
        if "/tag/" in u or "/category/" in u or "/page/" in u or u.endswith(("/htw/", "/rrm/"))
    ]
    assert "dropped: listing" in stdout
    assert "too_short 1" in stdout, "the video-only post"


def test_the_demo_is_discovered_newest_first_and_paged_sparingly(
    demo_crawl: tuple[str, DemoSite, str],
) -> None:
    db_url, _, _ = demo_crawl
    # demo-htw answers the WordPress REST API: its posts are credited to it.
    via = rows(
        db_url,
        "select found_via, count(*) from crawl_state where outlet = 'demo-htw'"
        " and kind in ('article', 'page') group by 1",
    )
    assert via == [("api", 10)], "nine articles and the video-only post"
    # The static demo feeds ignore ?paged=N and repeat page 1: paging stops at page 2.
    feeds = rows(db_url, "select outlet, count(*) from crawl_state where kind = 'feed' group by 1")
    assert feeds and all(count <= 2 for _, count in feeds)


def test_no_stored_text_carries_chrome(demo_crawl: tuple[str, DemoSite, str]) -> None:
    db_url, _, _ = demo_crawl
    for url, text in rows(db_url, "select url, text from articles"):
        leaks = [phrase for phrase in LEAK_PHRASES if phrase in text]
        assert not leaks, f"{url}: {leaks}"


def test_a_second_crawl_fetches_nothing_old_and_changes_nothing(
    demo_crawl: tuple[str, DemoSite, str], run_cli: RunCli
) -> None:
    db_url, site, _ = demo_crawl
    before = (
        rows(db_url, "select * from articles order by id"),
        rows(db_url, "select id, canonical_article_id from stories"),
    )
    demo = ("demo-htw", "demo-cfr", "demo-rrm", "--config", str(DEMO_CONFIG), "--db", db_url)
    result = run_cli("crawl", *demo, env={DEMO_URL_VARIABLE: site.url})
    assert result.returncode == 0, result.stderr
    # Stored articles are not fetched again; re-read pages answer 304 to conditional GETs.
    assert "articles new 0, updated 0, unchanged 0" in result.stdout
    assert "not modified 2" in result.stdout
    refreshed = run_cli("crawl", *demo, "--refresh", env={DEMO_URL_VARIABLE: site.url})
    assert refreshed.returncode == 0, refreshed.stderr
    assert "articles new 0, updated 0, unchanged 11" in refreshed.stdout
    after = (
        rows(db_url, "select * from articles order by id"),
        rows(db_url, "select id, canonical_article_id from stories"),
    )
    assert before == after
    runs = rows(
        db_url,
        "select finish_reason, articles_new, articles_unchanged, pages_not_modified"
        " from crawl_runs order by id",
    )
    assert [r[0] for r in runs] == ["finished"] * 3
    assert runs[0][1] == 11 and runs[1][1:3] == (0, 0) and runs[2][2] == 11
    assert runs[1][3] > 20


def test_export_writes_one_story_per_line_with_reposts(
    demo_crawl: tuple[str, DemoSite, str], tmp_path: Path, run_cli: RunCli
) -> None:
    db_url, site, _ = demo_crawl
    output = tmp_path / "stories.jsonl"
    result = run_cli("export", "--format", "jsonl", "--db", db_url, "--output", str(output))
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 10
    cfr = next(r for r in records if r["canonical"]["url"] == site.url + CFR_URL)
    assert set(cfr) >= {"story_id", "title", "canonical", "reposts"}
    assert set(cfr["canonical"]) >= {
        "url",
        "outlet",
        "title",
        "author",
        "published",
        "text",
        "attribution",
    }
    assert cfr["canonical"]["author"] == "Scott A. Snyder"
    assert cfr["canonical"]["published"] == "2012-10-16T04:00:00Z"
    (repost,) = cfr["reposts"]
    assert set(repost) >= {
        "url",
        "outlet",
        "title",
        "published",
        "role",
        "similarity",
        "containment",
        "attribution",
    }
    assert repost["role"] == "excerpt" and repost["published"] == "2012-10-20T18:53:05Z"
    assert repost["attribution"]["outlet"] == "Council on Foreign Relations"


def test_bad_pages_are_dropped_with_a_counted_reason(tmp_path: Path, run_cli: RunCli) -> None:
    db_url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    config = tmp_path / "outlets.toml"
    with DemoSite(root=FAULTY_SITE) as site:
        config.write_text(f'[outlets.faulty]\nurl = "{site.url}/faulty/"\n', encoding="utf-8")
        result = run_cli("crawl", "--config", str(config), "--db", db_url)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "dropped: http_404 1, listing 1, not_html 1" in result.stdout
    assert rows(db_url, "select url from articles") == [(f"{site.url}/faulty/post/",)]
    (drops,) = rows(db_url, "select drops from crawl_runs")[0]
    assert json.loads(drops) == {"http_404": 1, "listing": 1, "not_html": 1}


def test_nothing_fetched_exits_4(tmp_path: Path, run_cli: RunCli) -> None:
    config = tmp_path / "outlets.toml"
    config.write_text('[outlets.down]\nurl = "http://127.0.0.1:9/"\n', encoding="utf-8")
    result = run_cli("crawl", "--config", str(config), "--db", f"sqlite:///{tmp_path / 's.sqlite'}")
    assert result.returncode == 4
    assert "no page could be fetched" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_crawl_stores_each_article_s_minhash(demo_crawl: tuple[str, DemoSite, str]) -> None:
    """Signatures keep the whole-text LeanMinHash with the num_perm and seed it compares under."""
    from datasketch import LeanMinHash

    from aggregator.dedup import DedupConfig

    config = DedupConfig()
    db_url, _, _ = demo_crawl
    signatures = rows(db_url, "select num_perm, seed, minhash from signatures")
    assert len(signatures) == len(rows(db_url, "select id from articles"))
    for num_perm, seed, minhash in signatures:
        assert (num_perm, seed) == (config.num_perm, config.seed)
        assert len(LeanMinHash.deserialize(minhash).hashvalues) == num_perm
