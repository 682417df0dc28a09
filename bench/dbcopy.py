"""``aggregator db copy`` throughput: a crawled SQLite store copied into PostgreSQL and back.

    .venv/bin/python bench/dbcopy.py [--pages 3000] [--repeat 3]

Crawls ``bench/crawl.py``'s generated site of ``--pages`` article pages (real
prose, one story per article) into a fresh SQLite store, so every table holds
what a crawl writes: texts, fingerprints and sketches, crawl state, a run row.
Then starts a throw-away PostgreSQL server (``tests/store/postgres.py``, data
on the local disk, ``fsync=off``) and, ``--repeat`` times, runs the command
line ``aggregator db copy`` from the SQLite store into a fresh database and
from that database into a fresh SQLite file, each in its own process. Prints
each run's summary line and the median rows/s and articles/s of each direction.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from crawl import full_crawl, generate_site  # noqa: E402

from aggregator.demo import DemoSite  # noqa: E402
from tests.store.postgres import fresh_database, postgres_server  # noqa: E402

SUMMARY = re.compile(r"copied ([\d,]+) rows \(([\d,]+) articles\) .* in ([\d.]+) s")


def copy(source: str, target: str) -> tuple[int, int, float]:
    """Run ``aggregator db copy``; rows, articles and seconds from its summary line."""
    result = subprocess.run(
        [sys.executable, "-m", "aggregator", "db", "copy", "--from", source, "--to", target],
        capture_output=True, text=True, cwd=REPO, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise SystemExit(f"db copy failed:\n{result.stderr}")
    print(result.stdout.rstrip())
    found = SUMMARY.search(result.stdout)
    assert found, result.stdout
    rows, articles, seconds = found.groups()
    return int(rows.replace(",", "")), int(articles.replace(",", "")), float(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="aggregator-bench-") as folder:
        work = Path(folder)
        generate_site(work / "site", options.pages)
        with DemoSite(root=work / "site") as site:
            full_crawl(site.url, work, "store")
        store = f"sqlite:///{work / 'store-store.sqlite'}"
        runs: dict[str, list[tuple[int, int, float]]] = {"to postgres": [], "back to sqlite": []}
        with postgres_server() as server:
            for run in range(options.repeat):
                with fresh_database(server) as database:
                    runs["to postgres"].append(copy(store, database))
                    back = f"sqlite:///{work / f'back-{run}.sqlite'}"
                    runs["back to sqlite"].append(copy(database, back))
    for direction, results in runs.items():
        rows, articles = results[0][:2]
        seconds = statistics.median(r[2] for r in results)
        print(
            f"{direction}: {rows:,} rows ({articles:,} articles), median of {len(results)}: "
            f"{seconds:.2f} s, {rows / seconds:,.0f} rows/s, {articles / seconds:,.0f} articles/s"
        )


if __name__ == "__main__":
    main()
