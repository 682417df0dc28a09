"""A hostile outlet cannot steer the crawler: every request and redirect hop passes the scope.

Two crawls of ``tests.faults.hostile`` over real HTTP on 127.0.0.1, with the
"internal host" on 127.0.0.2 (by address and as ``internal.test``) and on
another port of 127.0.0.1: the internal servers must see no request at all,
each refusal is counted with its reason and recorded in the crawl state, and
the second run never asks for a refused URL again.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.crawl.support import crawl, last_run, write_config
from tests.helpers import rows
from tests.sites.generated import Server

from .hostile import HostileSite, Internal

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@dataclass
class Crawled:
    hostile: Server
    internal: Server
    other_port: Server
    db_url: str
    first: dict
    second: dict
    log: str
    summary: str
    states_before: dict[str, tuple]


def _states(db_url: str) -> dict[str, tuple]:
    return {
        url: (status, detail, fetched)
        for url, status, detail, fetched in rows(
            db_url, "select url, status, detail, last_fetched from crawl_state"
        )
    }


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawled]:
    folder = tmp_path_factory.mktemp("hostile")
    site, internal_site, other_site = HostileSite(), Internal(), Internal()
    with (
        Server(site) as hostile,
        Server(internal_site, host="127.0.0.2") as internal,
        Server(other_site) as other_port,
    ):
        site.internal, site.other_port = internal.url, other_port.url
        config = write_config(
            folder / "outlets.toml",
            hostile={
                "url": f"{hostile.url}/hostile/",
                "sitemaps": [f"{hostile.url}/hostile/sitemap.xml"],
            },
            wide={"url": f"{hostile.url}/wide/", "allow": ["/wide/"], "offsite": True},
            sibling={"url": f"{hostile.url}/sibling/", "enabled": False},
        )
        db_url = f"sqlite:///{folder / 'store.sqlite'}"
        first = crawl(config, db_url, "hostile", "wide")
        assert first.returncode == 0, first.stderr
        states = _states(db_url)
        first_run = last_run(db_url)
        # --refresh: every source is read again in full, so every hostile entry is listed again.
        second = crawl(config, db_url, "hostile", "wide", "--refresh")
        assert second.returncode == 0, second.stderr
        yield Crawled(
            hostile, internal, other_port, db_url, first_run, last_run(db_url),
            first.stderr + second.stderr, first.stdout, states,
        )  # fmt: skip


def test_the_internal_hosts_are_never_contacted(crawled: Crawled) -> None:
    assert crawled.internal.site.requested() == []
    assert crawled.other_port.site.requested() == []
    assert crawled.hostile.site.requested("/sibling/") == []


def test_each_refusal_is_counted_with_its_reason(crawled: Crawled) -> None:
    hostile = crawled.first["by_outlet"]["hostile"]
    wide = crawled.first["by_outlet"]["wide"]
    # scheme: file:///etc/passwd, file:///dev/zero, ftp://, gopher://; offsite: 127.0.0.2 and
    # internal.test in the index, the 302 and the meta refresh to 127.0.0.2, the 302 to
    # internal.test; private_address: another port of 127.0.0.1 (index and 302);
    # other_outlet: the 302 into /sibling/.
    assert hostile["refused"] == 4 + 5 + 2 + 1
    assert wide["refused"] == 2, "links to 127.0.0.2 and internal.test: private addresses"
    assert "refused (private_address): http://internal.test:" in crawled.log
    assert "refused (scheme): file:///dev/zero" in crawled.log
    assert "Traceback" not in crawled.log


def test_refusals_are_recorded_in_the_crawl_state(crawled: Crawled) -> None:
    internal, other = crawled.internal.url, crawled.other_port.url
    named = internal.replace("127.0.0.2", "internal.test")
    base = f"{crawled.hostile.url}/hostile"
    details = {url: detail for url, (status, detail, _) in crawled.states_before.items()}
    assert details["file:///etc/passwd"] == "refused_scheme"
    assert details["file:///dev/zero"] == "refused_scheme"
    assert details["ftp://127.0.0.1/sitemap.xml"] == "refused_scheme"
    assert details[f"{internal}/sitemap.xml"] == "refused_offsite"
    assert details[f"{named}/sitemap.xml"] == "refused_offsite"
    assert details[f"{other}/sitemap.xml"] == "refused_private_address"
    # A redirect is refused on the hop; the URL that redirected is the one recorded.
    assert details[f"{base}/moved-offsite/"] == "refused_offsite"
    assert details[f"{base}/refresh-offsite/"] == "refused_offsite"
    assert details[f"{base}/moved-port/"] == "refused_private_address"
    assert details[f"{base}/moved-sibling/"] == "refused_other_outlet"
    assert details[f"{internal}/wide/by-address/"] == "refused_private_address"
    assert {s for url, (s, d, _) in crawled.states_before.items() if d and "refused" in d} == {
        "dropped"
    }


def test_a_refused_url_is_never_queued_again(crawled: Crawled) -> None:
    assert crawled.second["by_outlet"]["hostile"].get("refused", 0) == 0
    assert crawled.second["by_outlet"]["wide"].get("refused", 0) == 0
    after = _states(crawled.db_url)
    for url, before in crawled.states_before.items():
        if before[1] and before[1].startswith("refused_"):
            assert after[url] == before, f"{url} was asked for again"


def test_redirects_inside_the_outlet_store_the_final_url(crawled: Crawled) -> None:
    base = f"{crawled.hostile.url}/hostile"
    stored = {url for (url,) in rows(crawled.db_url, "select url from articles")}
    assert f"{base}/landed/" in stored, "a 302 inside the outlet is followed"
    assert f"{base}/refreshed/" in stored, "so is a meta refresh"
    assert f"{base}/moved-inside/" not in stored
    assert f"{base}/refresh-inside/" not in stored
    assert all(url.startswith(base) for url in stored), stored
    outlets = rows(
        crawled.db_url,
        "select distinct o.key from articles a join outlets o on o.id = a.outlet_id",
    )
    assert outlets == [("hostile",)]


def test_the_store_holds_nothing_from_elsewhere(crawled: Crawled) -> None:
    texts = " ".join(t for (t,) in rows(crawled.db_url, "select title from articles"))
    assert "Internal secret" not in texts
    assert "root:" not in " ".join(t for (t,) in rows(crawled.db_url, "select text from articles"))


def test_the_summary_prints_the_refusals(crawled: Crawled) -> None:
    assert "refused: offsite 5, other_outlet 1, private_address 4, scheme 4" in crawled.summary
