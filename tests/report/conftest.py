"""Fixtures for the report tests: the crawled demo store, a store of hostile values, a browser."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert

from aggregator.store import OutletRow, Store

from ..conftest import REPO
from ..store.conftest import DemoStore, demo_store  # noqa: F401  (the crawled demo store)
from ..store.factory import Piece, add_story
from ..store.postgres import free_port
from .browser import REQUIRE, BrowserMissing, launched, required

HOSTILE_TITLE = '<script>alert("title")</script> Breaking'
HOSTILE_OUTLET = 'Evil <b>Outlet</b> & "Co"'
HOSTILE_REPOSTER = "Reposter\"><script>alert('outlet')</script>"
HOSTILE_PARAGRAPHS = [
    "Officials said the <img src=x onerror=alert('text')> border crossings rose sharply this "
    "year as brokers raised their fees again.",
    "Families wait for weeks </textarea><svg onload=alert('svg')> before any word arrives from "
    "the other side of the river.",
    "A third paragraph closes the report with a quote from a broker about prices and risks.",
]


@pytest.fixture(scope="session")
def demo_story_id(demo_store: DemoStore) -> int:  # noqa: F811
    """The demo's CFR story (its HTW excerpt attached); ids depend on arrival order."""
    with sqlite3.connect(demo_store.path) as connection:
        (story_id,) = connection.execute(
            "select story_id from story_overview where canonical_outlet = 'demo-cfr'"
        ).fetchone()
    return story_id


@pytest.fixture(scope="session")
def hostile_store(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A store whose titles, texts, outlet names, credit lines and URLs try to run code."""
    url = f"sqlite:///{tmp_path_factory.mktemp('hostile') / 'hostile.sqlite'}"
    text = "\n".join(HOSTILE_PARAGRAPHS)
    with Store(url) as store:
        with store.engine.begin() as connection:
            connection.execute(
                insert(OutletRow),
                [
                    {"id": 1, "key": "evil", "name": HOSTILE_OUTLET, "url": "http://evil.test/",
                     "platform": "generic", "aliases": []},
                    {"id": 2, "key": "re", "name": HOSTILE_REPOSTER, "url": "http://re.test/",
                     "platform": "generic", "aliases": []},
                ],
            )  # fmt: skip
        add_story(store, 1, 1, [
            Piece(0, datetime(2012, 10, 16, tzinfo=UTC), text, title=HOSTILE_TITLE,
                  url="javascript:alert('url')"),
            Piece(1, datetime(2012, 10, 20, tzinfo=UTC), "\n".join(HOSTILE_PARAGRAPHS[:2]),
                  role="excerpt", similarity=0.6, containment=1.0,
                  credit="Source: <a href=\"javascript:alert('credit')\">Evil</a>",
                  url='http://re.test/x?a=<b>&c="d"'),
        ])  # fmt: skip
    return url


@dataclass
class Visit:
    """What a page did while a test looked at it: every request and every dialog."""

    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


# Module scope: while Playwright's sync API runs, its event loop is the thread's running
# loop, so a later test's asyncio.run() would fail; the browser is closed with its module.
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        with launched() as chromium:
            yield chromium
    except BrowserMissing as exc:
        if required():
            pytest.fail(f"browser required ({REQUIRE}=1 or CI) but {exc}")
        pytest.skip(f"no browser for these tests: {exc}")


@pytest.fixture
def page(browser: Any) -> Iterator[tuple[Any, Visit]]:
    """A fresh tab that records its requests and dismisses (and records) any dialog."""
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    tab = context.new_page()
    visit = Visit()
    tab.on("request", lambda request: visit.requests.append(request.url))
    tab.on("dialog", lambda dialog: (visit.dialogs.append(dialog.message), dialog.dismiss()))
    yield tab, visit
    context.close()


def report(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``aggregator report`` in its own process, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "aggregator", "report", *args],
        capture_output=True, text=True, cwd=REPO, env={**os.environ, **(env or {})}, timeout=300,
    )  # fmt: skip


@pytest.fixture(scope="module")
def served(demo_store: DemoStore) -> Iterator[str]:  # noqa: F811
    """``aggregator serve`` on the demo store; yields the server's root URL."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "aggregator", "serve", "--db", demo_store.url, "--port", str(port)],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    root = f"http://127.0.0.1:{port}"
    try:
        _wait_for(process, f"{root}/-/versions.json")
        yield root
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait_for(process: subprocess.Popen[str], url: str) -> None:
    for _ in range(300):  # up to about a minute on a loaded machine
        if process.poll() is not None:
            pytest.fail(f"serve exited: {process.stderr.read() if process.stderr else ''}")
        try:
            urllib.request.urlopen(url, timeout=5).close()
            return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    pytest.fail("serve did not answer")


def file_url(path: Path) -> str:
    return path.resolve().as_uri()
