"""Fixtures for the store tests: a demo store crawled once per session, the CLI in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from aggregator.demo import DEMO_OUTLETS, DEMO_URL_VARIABLE, DemoSite

from ..conftest import CONFIG, REPO

CFR_PATH = "/cfr/asia/2012/10/16/the-underground-railroad-from-north-korea-to-freedom/"
HTW_PATH = "/htw/2012/10/20/the-underground-railroad-from-north-korea-to-freedom/"


def aggregator(
    *args: str, env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """Run the command line as a cron job would: a separate process, from the repository."""
    return subprocess.run(
        [sys.executable, "-m", "aggregator", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, **(env or {})},
        timeout=timeout,
    )


def crawl_demo(db_url: str, site: DemoSite) -> subprocess.CompletedProcess[str]:
    return aggregator(
        "crawl", *DEMO_OUTLETS, "--config", str(CONFIG), "--db", db_url,
        env={DEMO_URL_VARIABLE: site.url},
    )  # fmt: skip


@dataclass(frozen=True)
class DemoStore:
    """The demo site crawled into a store: its URL, file and the site's address."""

    url: str
    path: Path
    site_url: str


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoStore]:
    """The three demo outlets crawled once into a SQLite store; tests must not change it."""
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    url = f"sqlite:///{path}"
    with DemoSite() as site:
        result = crawl_demo(url, site)
        assert result.returncode == 0, result.stderr
        yield DemoStore(url, path, site.url)
