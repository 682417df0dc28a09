"""CPython's garbage collector, set for a crawl's long-running processes (issue 12, item 7).

A crawl allocates objects by the million, nearly all short-lived, beside a few
hundred thousand that live as long as the process: modules, Scrapy's and
SQLAlchemy's machinery, the crawl state, the writer's dedup index. At the
default thresholds the cyclic collector ran a young collection every 700
allocations and went over that whole heap nine times in a 2,000-page crawl:
16% of the crawl process's CPU (bench/crawl.py, measured with ``gc.callbacks``).
"""

from __future__ import annotations

import gc

YOUNG = 20_000  # allocations between two young collections (CPython's default: 700)


def settle() -> None:
    """Once start-up is done: what it built is frozen out of the collector's sight (it lives
    as long as the process), and the young generation is collected less often. Cyclic
    garbage still goes, a few megabytes later at most."""
    gc.freeze()
    gc.set_threshold(YOUNG, *gc.get_threshold()[1:])
