"""Fixtures for the report tests: the crawled demo store, a store of hostile values, a browser."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import insert

from aggregator.store import OutletRow, Store

from ..helpers import REPO
from ..store.factory import Piece, add_story
from ..store.postgres import free_port
from ..store.support import DemoStore
from .browser import REQUIRE, BrowserMissing, launched, required
from .support import HOSTILE_OUTLET, HOSTILE_PARAGRAPHS, HOSTILE_REPOSTER, HOSTILE_TITLE, Visit


@pytest.fixture(scope="session")
def demo_story_id(demo_store: DemoStore) -> int:
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


@pytest.fixture(scope="module")
def served(demo_store: DemoStore) -> Iterator[str]:
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
