"""Export memory at 1,000 / 10,000 / 100,000 stories: does it stay flat? (issue 6, item 6)

    .venv/bin/python bench/export_memory.py [--sizes 1000,10000,100000] [--formats jsonl,csv,parquet]

Builds a synthetic SQLite store of the largest size once (tests/store/factory.py:
a canonical article of ~1.3 KB per story, a repost for every third story),
then exports its first N stories in a fresh process per run and prints the
peak of Python allocations (tracemalloc) and the process's peak RSS.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from aggregator.store import Store  # noqa: E402
from tests.store.factory import fill_store  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--formats", default="jsonl,csv,parquet")
    args = parser.parse_args()
    sizes = sorted(int(size) for size in args.sizes.split(","))
    with tempfile.TemporaryDirectory(prefix="aggregator-bench-") as directory:
        url = f"sqlite:///{Path(directory) / 'bench.sqlite'}"
        started = time.perf_counter()
        with Store(url) as store:
            fill_store(store, sizes[-1])
        print(f"store of {sizes[-1]} stories built in {time.perf_counter() - started:.0f} s")
        print(
            f"{'format':<8} {'stories':>8} {'python peak MiB':>16} {'max RSS MiB':>12} {'seconds':>8}"
        )
        for fmt in args.formats.split(","):
            for size in sizes:
                started = time.perf_counter()
                figures = _measure(url, fmt, size)
                seconds = time.perf_counter() - started
                print(
                    f"{fmt:<8} {figures['stories']:>8} {figures['python_peak_mib']:>16.2f} "
                    f"{figures['max_rss_mib']:>12.1f} {seconds:>8.1f}"
                )


def _measure(url: str, fmt: str, size: int) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "tests.store.memory", url, fmt, str(size)],
        capture_output=True, text=True, cwd=REPO, check=True,
    )  # fmt: skip
    return json.loads(result.stdout)


if __name__ == "__main__":
    main()
