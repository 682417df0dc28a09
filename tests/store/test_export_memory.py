"""Exports stream: memory does not grow with the number of stories (issue 6, item 6).

A store of 8,000 synthetic stories is exported whole and as its first
1,000, each in a fresh process; the peak of Python allocations must be the
same within a margin far below what holding the extra 7,000 records would
take. ``bench/export_memory.py`` prints the same figures up to 100,000 stories.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from aggregator.store import Store

from ..helpers import REPO
from .factory import fill_store

pytestmark = pytest.mark.slow

SMALL, LARGE = 1_000, 8_000


@pytest.fixture(scope="module")
def large_store(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('large') / 'large.sqlite'}"
    with Store(url) as store:
        fill_store(store, LARGE)
    return url


def measure(db_url: str, fmt: str, stories: int) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "tests.store.memory", db_url, fmt, str(stories)],
        capture_output=True, text=True, cwd=REPO, timeout=600, check=True,
    )  # fmt: skip
    return json.loads(result.stdout)


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_export_memory_does_not_grow_with_the_store(large_store: str, fmt: str) -> None:
    small = measure(large_store, fmt, SMALL)
    large = measure(large_store, fmt, LARGE)
    print(f"\n{fmt}: {SMALL} stories {small}, {LARGE} stories {large}")
    assert (small["stories"], large["stories"]) == (SMALL, LARGE)
    # Keeping the extra 7,000 records would add about 20 MiB (see the probe test below).
    growth = large["python_peak_mib"] - small["python_peak_mib"]
    assert growth < 0.1 * small["python_peak_mib"] + 0.5, (small, large)


def test_the_memory_probe_sees_a_growing_export(large_store: str, tmp_path: Path) -> None:
    """The probe itself can tell: a list of every record grows with the store."""
    script = (
        "import tracemalloc, json, sys\n"
        "from aggregator.store import Store\n"
        "from aggregator.queries import StoryFilter, iter_story_records\n"
        "store = Store(sys.argv[1]); peaks = []\n"
        "for n in (1000, 8000):\n"
        "    tracemalloc.start()\n"
        "    with store.session() as s: kept = list(iter_story_records(s, StoryFilter(limit=n)))\n"
        "    peaks.append(tracemalloc.get_traced_memory()[1]); tracemalloc.stop(); del kept\n"
        "print(json.dumps(peaks))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, large_store],
        capture_output=True, text=True, cwd=REPO, timeout=600, check=True,
    )  # fmt: skip
    small, large = json.loads(result.stdout)
    assert (large - small) / 2**20 > 15, (small, large)
