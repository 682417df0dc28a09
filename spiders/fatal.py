"""Stopping a crawl that cannot go on, with one line saying why (issue 11, items 4 and 6).

A full disk, a read-only store or a lost database connection (``StoreError``,
exit 3), extraction workers that keep dying (``WorkersDiedError``, exit 7) and
a dead store writer (``WriterDiedError``, exit 8) would fail every later page
the same way, so the first one stops the crawl. The error is kept in the
crawl's stats; the CLI raises it (``aggregator.runs.fatal_error``) once the
reactor has stopped. Pages the crawl did not finish stay queued or are recorded as errors:
the next run fetches them again.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.utils.defer import deferred_from_coro

from aggregator.errors import AggregatorError
from aggregator.runs import FATAL_KIND, FATAL_MESSAGE

logger = logging.getLogger(__name__)

FINISH_REASON = "fatal_error"


def stop_crawl(crawler: Any, error: AggregatorError) -> None:
    """Close the spider because of ``error``; the first error is the one reported."""
    if not fail_crawl(crawler, error):
        return
    logger.info("stopping the crawl: %s", error)
    deferred_from_coro(crawler.engine.close_spider_async(reason=FINISH_REASON))


def fail_crawl(crawler: Any, error: AggregatorError) -> bool:
    """Report ``error`` as what ended the crawl (the CLI's exit code); False when an earlier
    error is reported already. For a crawl already closing, ``stop_crawl`` for one running."""
    if stopped(crawler):
        return False
    crawler.stats.set_value(FATAL_KIND, type(error).__name__)
    crawler.stats.set_value(FATAL_MESSAGE, str(error))
    return True


def stopped(crawler: Any) -> bool:
    return crawler.stats.get_value(FATAL_KIND) is not None
