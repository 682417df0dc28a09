"""Debian's Chromium, headless, driven by Playwright: pages checked as a person sees them.

Playwright's Python package drives the system browser (``/usr/bin/chromium``,
apt-get install chromium); it never downloads one. When either is missing the
browser tests skip with the reason, unless AGGREGATOR_REQUIRE_BROWSER=1 or CI
is set (``.ci/run`` sets the first, CI the second), where they fail instead.

Run as a script it writes a screenshot of a page (``make report-demo``):

    python -m tests.report.browser PAGE.html OUT.png
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REQUIRE = "AGGREGATOR_REQUIRE_BROWSER"
# Chromium's background services would try the network, which is closed here.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium() -> str | None:
    return shutil.which("chromium") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
    )


def required() -> bool:
    return os.environ.get(REQUIRE) == "1" or os.environ.get("CI", "").lower() in ("1", "true")


class BrowserMissing(Exception):
    """Chromium or Playwright is not installed; the message says which and how to get it."""


@contextmanager
def launched() -> Iterator[Any]:
    """A headless Chromium (a Playwright Browser), with a fresh profile Playwright makes."""
    executable = chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise BrowserMissing(
            "the playwright package is not installed (pip install -e '.[test]')"
        ) from None
    if executable is None:
        raise BrowserMissing("no chromium (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=FLAGS)
        try:
            yield browser
        finally:
            browser.close()


def screenshot(page_file: Path, png: Path, width: int = 1100, height: int = 1500) -> None:
    """A PNG of the top of a local HTML file (``height`` px at most), as the browser renders it."""
    with launched() as browser:
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.goto(page_file.resolve().as_uri())
        page_height = page.evaluate("document.documentElement.scrollHeight")
        clip = {"x": 0, "y": 0, "width": width, "height": min(height, page_height)}
        page.screenshot(path=str(png), full_page=True, clip=clip)


if __name__ == "__main__":
    try:
        screenshot(Path(sys.argv[1]), Path(sys.argv[2]))
    except BrowserMissing as exc:
        sys.exit(f"error: {exc}")
