"""How our engine's cost grows with the number of stored articles.

For each size N, in a fresh process: N *filler* articles are indexed as a crawl's
matcher holds them (fingerprints in a SQLite table, a bounded cache of 20,000 in
memory, the index in memory), then the labelled corpus is ingested on top and
timed in CPU time (median of repeats; between repeats its articles are removed
again). Memory is the growth of the resident set from before the first article
was indexed to after the last, per article held.

Fillers are the corpus's real originals, each with its word hashes salted by
its own number: text of the same shape and word statistics as the originals,
distinct from every other (so they share nothing by accident, as unrelated news
articles mostly do), published by 500 outlets of which one in three leaks two
chrome lines, so outlet chrome is tracked at scale too.
"""

from __future__ import annotations

import json
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from aggregator.dedup import DedupConfig, Fingerprint, Matcher

FILLER_OUTLETS = 500
_MIX = np.uint64(0x9E3779B97F4A7C15)


def scale_run(docs: Sequence, sizes: list[int], seed: int, repeats: int) -> None:
    """Print one row per size, each measured in its own process (so memory is its own)."""
    print(f"our engine with N articles already stored (timed: the {len(docs)} corpus articles)")
    header = f"{'stored N':>10}{'articles/s':>12}{'µs/article':>12}{'index B/art':>13}{'RSS KiB/art':>13}"
    print(header)
    print("-" * len(header))
    for size in [0, *sizes]:
        command = [sys.executable, __file__, str(size), str(seed), str(repeats)]
        found = subprocess.run(command, capture_output=True, text=True, check=True)
        row = json.loads(found.stdout.strip().splitlines()[-1])
        print(
            f"{size:>10,}{row['speed']:>12,.0f}{1e6 / row['speed']:>12.0f}"
            f"{row['index_bytes']:>13.0f}{row['rss_per_article'] / 1024:>13.2f}"
        )


def measure(size: int, seed: int, repeats: int) -> dict[str, float]:
    from corpus import build_corpus

    docs = build_corpus(seed=seed)
    with tempfile.TemporaryDirectory() as directory:
        table = FingerprintTable(Path(directory) / "fingerprints.sqlite")
        matcher = Matcher(DedupConfig(), load=table.load)
        baseline = _rss()
        fill(matcher, table, docs, size)
        runs = []
        for _ in range(repeats):
            for doc in docs:
                if doc.id in matcher:
                    matcher.remove(doc.id)
            start = time.process_time()
            prints = []
            for doc in docs:
                fingerprint = matcher.fingerprint(doc.text)
                matcher.ingest(doc.id, doc.outlet, fingerprint)
                prints.append(fingerprint)
            runs.append(time.process_time() - start)
            for doc, fingerprint in zip(docs, prints, strict=True):  # the storage pipeline's part
                table.put(doc.id, fingerprint)
        total = size + len(docs)
        return {
            "speed": len(docs) / statistics.median(runs),
            "index_bytes": matcher.index.nbytes / total,
            "rss_per_article": (_rss() - baseline) / total,
        }


def fill(matcher: Matcher, table: FingerprintTable, docs: Sequence, size: int) -> None:
    sources = [matcher.fingerprint(d.text) for d in docs if d.kind in ("original", "negative")]
    chrome = [
        matcher.fingerprint(f"Leave a Reply\nJoin {n:,} other followers")
        for n in range(FILLER_OUTLETS)
    ]
    for number in range(size):
        outlet = number % FILLER_OUTLETS
        fingerprint = salted(sources[number % len(sources)], number + 1)
        if outlet % 3 == 0:
            fingerprint = joined(fingerprint, chrome[outlet])
        key = f"filler-{number}"
        matcher.add(key, f"filler-outlet-{outlet}", fingerprint)
        table.put(key, fingerprint)
    table.commit()


def salted(fingerprint: Fingerprint, salt: int) -> Fingerprint:
    """The same text shape, with every shingle and paragraph hash moved by ``salt``."""
    mix = np.uint64((salt * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF)
    shingles = ((fingerprint.shingles.astype(np.uint64) + mix) * _MIX >> np.uint64(32)).astype(
        np.uint32
    )
    return Fingerprint(
        fingerprint.shingle_size,
        (fingerprint.paragraph_hashes ^ mix) * _MIX,
        fingerprint.paragraph_tokens,
        fingerprint.offsets,
        shingles,
    )


def joined(first: Fingerprint, second: Fingerprint) -> Fingerprint:
    return Fingerprint(
        first.shingle_size,
        np.concatenate((first.paragraph_hashes, second.paragraph_hashes)),
        np.concatenate((first.paragraph_tokens, second.paragraph_tokens)),
        np.concatenate((first.offsets[:-1], second.offsets + first.offsets[-1])),
        np.concatenate((first.shingles, second.shingles)),
    )


class FingerprintTable:
    """Stored fingerprints, as the signatures table holds them for a crawl's matcher."""

    def __init__(self, path: Path) -> None:
        self.connection = sqlite3.connect(path)
        self.connection.execute("create table fp (key text primary key, blob blob)")

    def put(self, key: str, fingerprint: Fingerprint) -> None:
        self.connection.execute(
            "insert or replace into fp values (?, ?)", (key, fingerprint.to_bytes())
        )

    def commit(self) -> None:
        self.connection.commit()

    def load(self, key: str) -> Fingerprint:
        (blob,) = self.connection.execute("select blob from fp where key = ?", (key,)).fetchone()
        return Fingerprint.from_bytes(blob)


def _rss() -> int:
    """Resident memory of this process now, in bytes (the peak where /proc is missing)."""
    try:
        resident = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return resident * os.sysconf("SC_PAGE_SIZE")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    size, seed, repeats = (int(a) for a in sys.argv[1:4])
    print(json.dumps(measure(size, seed, repeats)))
