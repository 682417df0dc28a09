"""A store made by the first release is upgraded by the next crawl, with a log line, keeping its rows."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest

from aggregator.demo import DemoSite
from aggregator.store.migrate import FIRST_REVISION, head_revision

from ..helpers import REPO
from .schema import migrate, write_first_schema_rows
from .support import crawl_demo

pytestmark = pytest.mark.slow


def test_a_crawl_upgrades_a_first_schema_store_in_place(db_url: str) -> None:
    migrate(db_url, FIRST_REVISION)
    write_first_schema_rows(db_url)
    with DemoSite() as site:
        result = crawl_demo(db_url, site)
    assert result.returncode == 0, result.stderr
    assert f"upgrading the store schema from 0001 to {head_revision()}" in result.stderr
    assert "articles new 11" in result.stdout
    with sqlite3.connect(db_url.removeprefix("sqlite:///")) as connection:
        urls = [url for (url,) in connection.execute("select url from articles order by id")]
        found = connection.execute(
            "select rowid from articles_fts where articles_fts match 'tumen OR kirkpatrick'"
        ).fetchall()
        expected = connection.execute(
            "select id from articles where text like '%tumen%' or text like '%kirkpatrick%'"
        ).fetchall()
    assert urls[:2] == ["http://cfr.test/railroad/", "http://htw.test/railroad/"]
    assert len(urls) == 13
    # Rows from before the upgrade (1, 2) and from the crawl are both in the index.
    assert sorted(found) == sorted(expected) and {(1,), (2,)} < set(found)


def test_export_piped_into_head_ends_quietly(db_url: str) -> None:
    """`aggregator export | head -1`: the reader leaves early; no traceback, no error line."""
    migrate(db_url, FIRST_REVISION)
    write_first_schema_rows(db_url)
    process = subprocess.Popen(
        [sys.executable, "-m", "aggregator", "export", "--db", db_url, "--format", "json"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0,
    )  # fmt: skip
    assert process.stdout.read(1) == b"["
    process.stdout.close()
    stderr = process.stderr.read().decode()
    process.wait(timeout=60)
    assert "Traceback" not in stderr and "error" not in stderr.lower()
