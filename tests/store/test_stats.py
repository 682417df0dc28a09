"""``aggregator stats`` on the demo store and on an empty one."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from aggregator.cli import main
from aggregator.store import Store
from aggregator.store.migrate import head_revision

from .support import DemoStore


@pytest.mark.slow
def test_stats_as_json(demo_store: DemoStore) -> None:
    result = CliRunner().invoke(main, ["stats", "--db", demo_store.url, "--json"])
    assert result.exit_code == 0, result.output
    numbers = json.loads(result.output)
    assert numbers["schema"] == head_revision()
    assert (numbers["articles"], numbers["stories"], numbers["stories_with_reposts"]) == (11, 10, 1)
    assert numbers["reposts_by_role"] == {"excerpt": 1}
    assert numbers["undated_articles"] == 1
    assert sum(numbers["date_sources"].values()) == 11
    assert numbers["first_published"] == "2012-05-28T18:43:26Z"
    assert numbers["crawl_runs"] == 1 and numbers["last_run"]["finish_reason"] == "finished"
    by_key = {outlet["key"]: outlet for outlet in numbers["outlets"]}
    assert set(by_key) == {"demo-cfr", "demo-htw", "demo-rrm"}
    assert (by_key["demo-cfr"]["originals"], by_key["demo-cfr"]["reposts"]) == (1, 0)
    assert (by_key["demo-htw"]["articles"], by_key["demo-htw"]["reposts"]) == (9, 1)
    assert by_key["demo-rrm"]["first_published"] is None


@pytest.mark.slow
def test_stats_as_text(demo_store: DemoStore) -> None:
    result = CliRunner().invoke(main, ["stats", "--db", demo_store.url])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"store      {demo_store.url} (schema {head_revision()})"
    assert lines[1].startswith("articles   11 (1 undated; published 2012-05-28 to 2013-03-31)")
    assert lines[2] == "stories    10 (1 with reposts)"
    assert lines[3] == "reposts    1 (excerpt 1)"
    assert lines[5].startswith("crawls     1; last #1 started ")
    assert lines[7].split() == ["OUTLET", "ARTICLES", "ORIGINALS", "REPOSTS", "FIRST", "LAST"]
    assert lines[8].split() == ["demo-cfr", "1", "1", "0", "2012-10-16", "2012-10-16"]


def test_stats_of_an_empty_store(db_url: str) -> None:
    Store(db_url).close()
    result = CliRunner().invoke(main, ["stats", "--db", db_url, "--json"])
    numbers = json.loads(result.output)
    assert (numbers["articles"], numbers["stories"], numbers["last_run"]) == (0, 0, None)
    assert numbers["outlets"] == []
