"""Helpers for crawls over real HTTP: generated sites on 127.0.0.1, crawls in a subprocess.

Twisted's reactor runs once per process, so every crawl is ``python -m aggregator
crawl`` in a subprocess; names other than 127.0.0.1 and localhost never
resolve (``tests.crawl.resolver``), so no crawl under test can leave the machine.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.helpers import REPO, rows
from tests.sites.generated import Server

# Fast and deterministic for tests: no AutoThrottle pauses, small API pages, short timeouts.
TEST_SETTINGS = (
    "TWISTED_DNS_RESOLVER=tests.crawl.resolver.LocalOnlyResolver",
    "AUTOTHROTTLE_ENABLED=false",
    "AGGREGATOR_CRAWL_API_PER_PAGE=5",
    "DOWNLOAD_TIMEOUT=2",
    "AGGREGATOR_CRAWL_SOURCES_WAIT=10",
)


def crawl_command(config: Path, db_url: str, *args: str) -> list[str]:
    settings = [part for name in TEST_SETTINGS for part in ("--set", name)]
    return [
        sys.executable,
        "-m",
        "aggregator",
        "crawl",
        "--config",
        str(config),
        "--db",
        db_url,
        *settings,
        *args,
    ]


def crawl(config: Path, db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        crawl_command(config, db_url, *args),
        capture_output=True,
        text=True,
        cwd=REPO,
        env=dict(os.environ),
        timeout=240,
    )


def write_config(path: Path, **outlets: dict[str, Any]) -> Path:
    """An outlets.toml from keyword tables: ``write_config(p, wp={"url": ...})``."""
    lines = []
    for key, table in outlets.items():
        lines.append(f"[outlets.{key}]")
        lines += [f"{name} = {json.dumps(value)}" for name, value in table.items()]
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def last_run(db_url: str) -> dict[str, Any]:
    with sqlite3.connect(db_url.removeprefix("sqlite:///")) as connection:
        connection.row_factory = sqlite3.Row
        row = connection.execute("select * from crawl_runs order by id desc limit 1").fetchone()
    run = dict(row)
    for name in ("drops", "errors", "discovered", "by_outlet", "outlets"):
        run[name] = json.loads(run[name])
    return run


def wait_for_articles(db_url: str, count: int, process: subprocess.Popen[str]) -> None:
    """Until ``count`` articles are stored (or the crawl ends, or two minutes pass)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if rows(db_url, "select count(*) from articles")[0][0] >= count:
                return
        except Exception:  # the store is still being created
            pass
        time.sleep(0.1)
    raise AssertionError(f"the crawl stored fewer than {count} articles in time")


def stored_paths(db_url: str, server: Server) -> set[str]:
    """The stored articles' URLs, relative to the site's root."""
    return {url.removeprefix(server.url) for (url,) in rows(db_url, "select url from articles")}
