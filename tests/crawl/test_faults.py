"""Faults are survived: each is counted and logged with its URL, and the run finishes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest

from tests.helpers import rows
from tests.sites.generated import Server, WordPressSite

from .support import crawl, last_run, write_config

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture(scope="module")
def faulty_crawl(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Server, str, str, str]]:
    """One crawl of the fault pages (and a host that does not resolve), shared by the checks."""
    folder = tmp_path_factory.mktemp("faults")
    with Server(WordPressSite(count=1)) as server:
        base = f"{server.url}/faults"
        config = write_config(
            folder / "outlets.toml",
            faults={
                "url": f"{base}/",
                "sitemaps": [f"{base}/sitemap/", f"{base}/bomb.xml.gz"],
                "start_urls": ["http://unresolvable.example/news/"],
            },
        )
        db_url = f"sqlite:///{folder / 'store.sqlite'}"
        result = crawl(
            config,
            db_url,
            "--set",
            "DOWNLOAD_TIMEOUT=1",
            "--set",
            "AGGREGATOR_CRAWL_SITEMAP_MAX_BYTES=1000000",
        )
        assert "Traceback" not in result.stderr
        yield server, db_url, result.stdout, result.stderr + f"\nexit {result.returncode}"


def test_the_run_finishes_and_counts_every_fault(
    faulty_crawl: tuple[Server, str, str, str],
) -> None:
    _, db_url, stdout, log = faulty_crawl
    assert log.endswith("exit 0")
    run = last_run(db_url)
    assert run["finish_reason"] == "finished"
    assert run["errors"] == {
        "timeout": 1,
        "http_500": 1,
        "redirect_loop": 1,
        "truncated": 1,
        "too_large": 1,
        "dns": 1,
        "feed_invalid": 1,
        "sitemap_too_deep": 1,
        "sitemap_too_large": 1,
        "wrong_charset": 1,
        "missing_charset": 1,
    }
    assert run["drops"] == {"http_404": 1, "listing": 1}
    assert "errors: dns 1, feed_invalid 1, http_500 1" in stdout


def test_each_fault_is_logged_with_its_url(faulty_crawl: tuple[Server, str, str, str]) -> None:
    server, _, _, log = faulty_crawl
    for kind, path in [
        ("timeout", "/faults/slow/"),
        ("http_500", "/faults/error500/"),
        ("redirect_loop", "/faults/loop/"),
        ("truncated", "/faults/truncated/"),
        ("too_large", "/faults/huge/"),
        ("feed_invalid", "/faults/notafeed/"),
        ("sitemap_too_deep", "/faults/sitemap/?depth=3"),
        ("sitemap_too_large", "/faults/bomb.xml.gz"),
        ("wrong_charset", "/faults/latin1/"),
    ]:
        assert f"{kind}: {server.url}{path}" in log, kind
    assert "dns: http://unresolvable.example/news/" in log


def test_the_errors_are_in_the_crawl_state(faulty_crawl: tuple[Server, str, str, str]) -> None:
    server, db_url, _, _ = faulty_crawl
    errors = dict(rows(db_url, "select url, detail from crawl_state where status = 'error'"))
    assert errors[f"{server.url}/faults/error500/"] == "http_500"
    assert errors[f"{server.url}/faults/slow/"] == "timeout"
    assert errors["http://unresolvable.example/news/"] == "dns"


def test_retries_are_bounded(faulty_crawl: tuple[Server, str, str, str]) -> None:
    server, _, _, _ = faulty_crawl
    hits = Counter(server.site.requested("/faults/"))
    assert hits["/faults/error500/"] == 3, "one try and RETRY_TIMES = 2 retries"
    assert hits["/faults/loop/"] + hits["/faults/loop2/"] <= 6, "REDIRECT_MAX_TIMES = 5"
    assert hits["/faults/sitemap/?depth=4"] == 0, "nesting stops at AGGREGATOR_CRAWL_SITEMAP_DEPTH"


def test_retry_after_is_honoured(faulty_crawl: tuple[Server, str, str, str]) -> None:
    server, db_url, _, _ = faulty_crawl
    tries = [h for h in server.site.hits if h.path == "/faults/ratelimited/"]
    assert [h.status for h in tries] == [429, 200]
    assert tries[1].at - tries[0].at >= 0.9, "Retry-After: 1 asks for a second"
    stored = rows(db_url, "select count(*) from articles where url like '%/faults/ratelimited/'")
    assert stored == [(1,)]


def test_mislabelled_and_unlabelled_text_is_read_right(
    faulty_crawl: tuple[Server, str, str, str],
) -> None:
    _, db_url, _, _ = faulty_crawl
    texts = dict(rows(db_url, "select url, text from articles"))
    latin1 = next(t for u, t in texts.items() if u.endswith("/faults/latin1/"))
    unlabelled = next(t for u, t in texts.items() if u.endswith("/faults/nocharset/"))
    for text in (latin1, unlabelled):
        assert "café owner’s naïve façade" in text
