"""The demo site crawled into a store, as the store and report tests share it."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from aggregator.demo import DEMO_CONFIG, DEMO_OUTLETS, DEMO_URL_VARIABLE, DemoSite

from ..helpers import run_cli

CFR_PATH = "/cfr/asia/2012/10/16/the-underground-railroad-from-north-korea-to-freedom/"
HTW_PATH = "/htw/2012/10/20/the-underground-railroad-from-north-korea-to-freedom/"


def crawl_demo(db_url: str, site: DemoSite) -> subprocess.CompletedProcess[str]:
    return run_cli(
        "crawl", *DEMO_OUTLETS, "--config", str(DEMO_CONFIG), "--db", db_url,
        env={DEMO_URL_VARIABLE: site.url},
    )  # fmt: skip


@dataclass(frozen=True)
class DemoStore:
    """The demo site crawled into a store: its URL, file and the site's address."""

    url: str
    path: Path
    site_url: str
