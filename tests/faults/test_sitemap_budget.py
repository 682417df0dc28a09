"""An index of thousands of sitemap indexes: read up to the budget, said once (issue 11, finding 15)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.crawl.support import crawl, last_run, write_config
from tests.sites.generated import Server

from .hostile import IndexSite

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
BUDGET = 20


def test_an_index_of_indexes_stops_at_the_budget_with_one_warning(tmp_path: Path) -> None:
    with Server(IndexSite(count=2000)) as server:
        config = write_config(
            tmp_path / "outlets.toml",
            many={"url": f"{server.url}/many/", "sitemaps": [f"{server.url}/many/sitemap.xml"]},
        )
        db_url = f"sqlite:///{tmp_path / 'store.sqlite'}"
        result = crawl(config, db_url, "--set", f"AGGREGATOR_CRAWL_MAX_SITEMAPS={BUDGET}")
        requested = server.site.requested("/many/")
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("sitemap_too_many:") == 1, result.stderr
    assert last_run(db_url)["errors"] == {"sitemap_too_many": 1}
    indexes = [p for p in requested if p.startswith(("/many/index-", "/many/deeper-"))]
    assert len(indexes) == BUDGET
