"""``aggregator serve``: Datasette on 127.0.0.1 with the shipped metadata (issue 6, item 1)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from ..helpers import REPO, RunCli
from .postgres import free_port
from .support import DemoStore

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def served(demo_store: DemoStore) -> Iterator[str]:
    """The demo store served by `aggregator serve`; yields the database's base URL."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "aggregator", "serve", "--db", demo_store.url, "--port", str(port)],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}/{demo_store.path.stem}"
    try:
        for _ in range(300):  # up to about a minute on a loaded machine
            if process.poll() is not None:
                pytest.fail(f"serve exited: {process.stderr.read()}")
            try:
                urllib.request.urlopen(f"{base}.json", timeout=5).close()
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
        else:
            pytest.fail("serve did not answer")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def get_json(url: str) -> object:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.load(response)


def test_a_stored_query_answers_in_json(served: str, demo_store: DemoStore) -> None:
    rows = get_json(f"{served}/who_reposted.json?_shape=array")
    assert rows == [
        {
            "story_id": rows[0]["story_id"],
            "story_title": "The Underground Railroad from North Korea to Freedom",
            "outlet_name": "Human Traffic Watch",
            "published": "2012-10-20T18:53:05Z",
            "role": "excerpt",
            "containment": 1.0,
            "credit_line": "Source: Council on Foreign Relations",
        }
    ]
    (top, *_) = get_json(f"{served}/most_reposted.json?_shape=array")
    assert top["canonical_outlet_name"] == "Council on Foreign Relations"


def test_articles_have_full_text_search(served: str, demo_store: DemoStore) -> None:
    rows = get_json(f"{served}/articles.json?_search=defectors&_shape=array&_col=title")
    titles = {row["title"] for row in rows}
    assert "Human Rights of North Korean Defectors in Dire Straits" in titles
    with sqlite3.connect(demo_store.path) as connection:
        expected = connection.execute(
            "select a.title from articles_fts join articles a on a.id = articles_fts.rowid "
            "where articles_fts match 'defectors'"
        ).fetchall()
    assert titles == {title for (title,) in expected}


def test_stories_and_reposts_have_facets(served: str) -> None:
    stories = get_json(f"{served}/story_overview.json")["facet_results"]
    assert {"canonical_outlet_name", "repost_count"} <= set(stories)
    reposts = get_json(f"{served}/reposts.json")["facet_results"]
    assert {"outlet_name", "role", "credited_outlet"} <= set(reposts)
    (role,) = reposts["role"]["results"]
    assert (role["value"], role["count"]) == ("excerpt", 1)


def test_serve_refuses_what_datasette_cannot_open(tmp_path: Path, run_cli: RunCli) -> None:
    result = run_cli("serve", "--db", "postgresql+psycopg://nobody@127.0.0.1:1/x")
    assert result.returncode == 1
    assert result.stderr == "error: Datasette serves SQLite stores only; give --db sqlite:///FILE\n"
    result = run_cli("serve", "--db", f"sqlite:///{tmp_path / 'none.sqlite'}")
    assert result.returncode == 3
    assert result.stderr.startswith(f"error: no store at {tmp_path / 'none.sqlite'} ")
