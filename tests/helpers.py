"""Helpers every test package shares: paths, demo pages by path, the CLI in a process, rows.

Test modules import from here (or from their package's ``support`` module), never
from another test module or a conftest.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from aggregator.demo import DEMO_SITE
from aggregator.extract import ExtractOptions

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO / "data" / "outlets.toml"
DEMO_ROOT = "http://demo.test"

# The seed pages of the demo site: an original, its repost, and two more stories.
HTW_CFR_REPOST = "htw/2012/10/20/the-underground-railroad-from-north-korea-to-freedom"
HTW_ISN_REPOST = "htw/2012/09/08/human-rights-of-north-korean-defectors-in-dire-straits"
CFR_ORIGINAL = "cfr/asia/2012/10/16/the-underground-railroad-from-north-korea-to-freedom"
RRM_OPINION = "rrm/north-koreans-cant-escape-human-rights-abuses-even-after-fleeing-to-china"
NEW_YORK = ExtractOptions(timezone=ZoneInfo("America/New_York"))

RunCli = Callable[..., subprocess.CompletedProcess[str]]  # the type of the run_cli fixture


def demo_page(path: str) -> tuple[str, str]:
    """A demo page's HTML (with {{DEMO_ROOT}} filled in) and its URL, read from disk."""
    file = (
        DEMO_SITE / path.strip("/") / "index.html"
        if not path.endswith(".html")
        else DEMO_SITE / path
    )
    html = file.read_text(encoding="utf-8").replace("{{DEMO_ROOT}}", DEMO_ROOT)
    return html, f"{DEMO_ROOT}/{path.strip('/')}/"


def run_cli(
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


def rows(db_url: str, sql: str, *params: Any) -> list[tuple]:
    """The rows a query returns from a SQLite store, read with the standard library."""
    with sqlite3.connect(db_url.removeprefix("sqlite:///")) as connection:
        return connection.execute(sql, params).fetchall()
