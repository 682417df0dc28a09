"""Shared fixtures: the demo site served on 127.0.0.1, tmp-path stores, demo pages by path."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from aggregator.demo import DEMO_SITE, DEMO_URL_VARIABLE, DemoSite

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO / "data" / "outlets.toml"
DEMO_ROOT = "http://demo.test"


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


def demo_page(path: str) -> tuple[str, str]:
    """A demo page's HTML (with {{DEMO_ROOT}} filled in) and its URL, read from disk."""
    file = (
        DEMO_SITE / path.strip("/") / "index.html"
        if not path.endswith(".html")
        else DEMO_SITE / path
    )
    html = file.read_text(encoding="utf-8").replace("{{DEMO_ROOT}}", DEMO_ROOT)
    return html, f"{DEMO_ROOT}/{path.strip('/')}/"
