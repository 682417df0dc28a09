"""Dedup memory with a window (issue 15, item 3): does the story writer's memory per indexed
article stay flat as the store grows past the window? Beside the writer without one.

    .venv/bin/python bench/dedup_window.py [--sizes 5000,10000,20000,40000] [--per-day 1000]
                                           [--window-days 5]

Two story writers (``aggregator.batches.BatchWriter``: the core of the crawl's writer
process and of ``aggregator writer``) are fed the same stream of articles in batches of
64, each into a SQLite store of its own, each in a process of its own: one with
``--window-days`` (it holds about ``per_day * window_days`` articles), one without (the
anchor: every stored article indexed, the default). ``per_day`` articles are fetched a
day. Texts are real prose: 24 sentences of the Python documentation's topics (shipped
with Python) drawn per article with a fixed seed, so two articles share a sentence now
and then, as news articles share stock phrases; one article in ten is a lead excerpt of
an article of the day before, under an intro line (a repost to link).

At each size the running writer prints its resident memory (RSS), the growth of it since
before the writer was made per indexed article, and the candidate index's own bytes per
indexed article (postings and per-slot arrays: ``CandidateIndex.nbytes``). Then a fresh
writer starts on that store in a process of its own, as after a restart, and prints the
same after rebuilding its index, with the seconds the rebuild took.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from crawl import prose_sentences  # noqa: E402

from aggregator.batches import ArticleWrite, BatchWriter  # noqa: E402
from aggregator.config import Outlet  # noqa: E402
from aggregator.dedup import DedupConfig  # noqa: E402
from aggregator.extract import Article  # noqa: E402
from aggregator.store import Store  # noqa: E402

SEED = 15
BATCH = 64  # the cluster writer's entries per transaction
OUTLETS = {f"o{n}": Outlet(key=f"o{n}", url=f"http://o{n}.test/", name=f"Outlet {n}") for n in range(20)}  # fmt: skip
# Fetch dates in the past: a window never ends later than the wall clock.
START = datetime(2024, 1, 1, tzinfo=UTC)
KIB, MIB = 1024, 1024 * 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="5000,10000,20000,40000")
    parser.add_argument("--per-day", type=int, default=1000)
    parser.add_argument("--window-days", type=int, default=5)
    args = parser.parse_args()
    sizes = sorted(int(size) for size in args.sizes.split(","))
    print(
        f"{args.per_day} articles fetched a day; the window: {args.window_days} days "
        f"(about {args.per_day * args.window_days:,} articles)"
    )
    header = (
        f"{'writer':<10}{'stored':>8}{'indexed':>9}{'index B/art':>12}{'RSS KiB/art':>12}"
        f"{'RSS MiB':>8}{'peak MiB':>9}{' | restart: RSS KiB/art':>24}{'RSS MiB':>8}{'seconds':>8}"
    )
    print(header)
    print("-" * len(header))
    with tempfile.TemporaryDirectory(prefix="aggregator-bench-") as directory:
        writers = {}
        for name, days in (("window", args.window_days), ("no window", 0)):
            url = f"sqlite:///{Path(directory) / f'{days}.sqlite'}"
            writers[name] = _child(["--feed", url, str(days), str(args.per_day), *map(str, sizes)])
        for name, child in writers.items():  # the two side by side, one a core
            for line in _lines(child):
                row = json.loads(line)
                print(
                    f"{name:<10}{row['stored']:>8,}{row['indexed']:>9,}"
                    f"{row['index_bytes'] / row['indexed']:>12,.0f}"
                    f"{row['growth'] / row['indexed'] / KIB:>12.2f}{row['rss'] / MIB:>8.0f}"
                    f"{row['peak'] / MIB:>9.0f}"
                    f"{row['restart_growth'] / row['restart_indexed'] / KIB:>24.2f}"
                    f"{row['restart_rss'] / MIB:>8.0f}{row['restart_seconds']:>8.1f}"
                )


def feed(url: str, days: int, per_day: int, sizes: list[int]) -> None:
    """The running writer: print one JSON row per size, each with a restarted writer's."""
    config = DedupConfig(window_days=days)
    baseline = _rss()
    with Store(url) as store:
        writer = BatchWriter(store, OUTLETS, config)
        stream = articles(per_day)
        stored = 0
        for size in sizes:
            while stored < size:
                batch = [next(stream) for _ in range(min(BATCH, size - stored))]
                writer.apply(batch)
                stored += len(batch)
            matcher = writer.matcher
            restart = json.loads(_lines(_child(["--start", url, str(days)]))[0])
            rss = _rss()
            peak = max(rss, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
            row = {"stored": stored, "indexed": len(matcher), "index_bytes": matcher.index.nbytes,
                   "growth": rss - baseline, "rss": rss, "peak": peak}  # fmt: skip
            print(json.dumps(row | {f"restart_{k}": v for k, v in restart.items()}), flush=True)


def start(url: str, days: int) -> None:
    """A writer started on the store as it is (its index rebuilt from it)."""
    baseline = _rss()
    began = time.perf_counter()
    with Store(url) as store:
        writer = BatchWriter(store, OUTLETS, DedupConfig(window_days=days))
        seconds = time.perf_counter() - began
        row = {"indexed": len(writer.matcher), "growth": _rss() - baseline, "rss": _rss(),
               "seconds": seconds}  # fmt: skip
    print(json.dumps(row))


def articles(per_day: int) -> Iterator[ArticleWrite]:
    """The stream: ``per_day`` articles a day; every tenth a lead excerpt of one a day older."""
    sentences = prose_sentences()
    recent: deque[list[str]] = deque(maxlen=per_day + 1)  # the paragraphs of the last day's
    number = 0
    while True:
        fetched = START + timedelta(days=number / per_day)
        outlet = f"o{number % len(OUTLETS)}"
        if number % 10 == 9 and len(recent) == recent.maxlen:  # of article number - per_day - 1
            credit = f"From Outlet {(number - per_day - 1) % len(OUTLETS)}, worth a read:"
            paragraphs = [credit, *recent[0][:4]]
        else:
            drawn = random.Random(SEED * 1_000_003 + number).sample(sentences, 24)
            paragraphs = [" ".join(drawn[i : i + 4]) for i in range(0, 24, 4)]
        recent.append(paragraphs)
        text = "\n".join(paragraphs)
        article = Article(url=f"http://{outlet}.test/{number}/", title=f"Article {number}",
                          text=text, published=fetched - timedelta(hours=2))  # fmt: skip
        yield ArticleWrite(outlet, article, fetched)
        number += 1


def _child(args: list[str]) -> subprocess.Popen[str]:
    """This file run with ``args`` in a fresh process (so its memory is its own)."""
    command = [sys.executable, __file__, *args]
    return subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=REPO)


def _lines(child: subprocess.Popen[str]) -> list[str]:
    """What ``child`` printed, once it exited well."""
    output, _ = child.communicate()
    if child.returncode:
        raise SystemExit(f"{child.args} failed with exit code {child.returncode}")
    return output.splitlines()


def _rss() -> int:
    """Resident memory of this process now, in bytes."""
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--feed"]:
        feed(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), [int(s) for s in sys.argv[5:]])
    elif sys.argv[1:2] == ["--start"]:
        start(sys.argv[2], int(sys.argv[3]))
    else:
        main()
