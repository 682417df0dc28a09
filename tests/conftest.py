"""Shared fixtures: the demo site on 127.0.0.1, stores (tmp-path, the crawled demo, PostgreSQL),
the CLI in a process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from aggregator.demo import DEMO_URL_VARIABLE, DemoSite

from .helpers import RunCli
from .helpers import run_cli as _run_cli
from .store.postgres import fresh_database, postgres_server
from .store.support import DemoStore, crawl_demo


@pytest.fixture(scope="session")
def demo_site() -> Iterator[DemoSite]:
    with DemoSite() as site:
        yield site


@pytest.fixture
def demo_env(demo_site: DemoSite, monkeypatch: pytest.MonkeyPatch) -> DemoSite:
    """The demo site, with AGGREGATOR_DEMO_URL pointing the demo outlets at it."""
    monkeypatch.setenv(DEMO_URL_VARIABLE, demo_site.url)
    return demo_site


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store.sqlite'}"


@pytest.fixture(scope="session")
def run_cli() -> RunCli:
    """``run_cli("stories", "--db", url)``: the command line in its own process (tests.helpers)."""
    return _run_cli


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoStore]:
    """The three demo outlets crawled once into a SQLite store; tests must not change it."""
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    url = f"sqlite:///{path}"
    with DemoSite() as site:
        result = crawl_demo(url, site)
        assert result.returncode == 0, result.stderr
        yield DemoStore(url, path, site.url)


@pytest.fixture(scope="session")
def postgres() -> Iterator[str]:
    """A PostgreSQL server for this test session (URL without a database)."""
    with postgres_server() as url:
        yield url


@pytest.fixture
def pg_url(postgres: str) -> Iterator[str]:
    """A fresh, empty database on the session's server, dropped afterwards."""
    with fresh_database(postgres) as url:
        yield url
