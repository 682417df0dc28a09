"""Fixtures for the store tests: a demo store crawled once per session, the CLI in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from aggregator.demo import DEMO_OUTLETS, DEMO_URL_VARIABLE, DemoSite

from ..conftest import CONFIG, REPO
from .postgres import postgres_server

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


@contextmanager
def fresh_database(server: str) -> Iterator[str]:
    name = f"aggregator_{uuid.uuid4().hex[:12]}"
    admin = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        yield f"{server}/{name}"
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.dispose()
