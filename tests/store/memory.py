"""Measure an export's memory in a fresh process: ``python -m tests.store.memory URL FORMAT N``.

Prints one JSON object: stories written, the peak of Python allocations
during the export (tracemalloc, after a warm-up export of two pages so imports
and caches are not counted), and the process's peak resident size.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import tracemalloc
from typing import Any

from aggregator.export import write_csv, write_json, write_jsonl, write_parquet
from aggregator.queries import PAGE_SIZE, StoryFilter, iter_story_records
from aggregator.store import Store


def measure(db_url: str, fmt: str, stories: int) -> dict[str, Any]:
    store = Store(db_url)
    # Warm-up, two full pages: imports, the statement cache and SQLite's page cache reach
    # their working size here, so what follows is what the stories themselves cost.
    _export(store, fmt, 2 * PAGE_SIZE)
    tracemalloc.start()
    count = _export(store, fmt, stories)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    store.close()
    return {
        "stories": count,
        "format": fmt,
        "python_peak_mib": round(peak / 2**20, 2),
        "max_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def _export(store: Store, fmt: str, limit: int) -> int:
    records = None
    with store.session() as session, open(os.devnull, "wb" if fmt == "parquet" else "w") as out:
        records = iter_story_records(session, StoryFilter(limit=limit))
        if fmt == "csv":
            with open(os.devnull, "w") as reposts:
                return write_csv(records, out, reposts)
        writer = {"jsonl": write_jsonl, "json": write_json, "parquet": write_parquet}[fmt]
        return writer(records, out)


if __name__ == "__main__":
    url, fmt, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    print(json.dumps(measure(url, fmt, n)))
