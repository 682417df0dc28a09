"""Crawl runs: one row per crawl, so a scheduled job's history is a query away.

A run row is started when the crawl opens and finished from its counters
(Scrapy's stats, or any mapping of the same names) when it closes; a run
killed outright keeps ``finished_at`` empty, which is how its end shows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from aggregator.errors import (
    AggregatorError,
    ClusterError,
    StoreError,
    WorkersDiedError,
    WriterDiedError,
)
from aggregator.store import ArticleRow, CrawlRunRow, Store

DROPPED_PREFIX = "aggregator/dropped/"
ERRORS_PREFIX = "aggregator/errors/"
ARTICLES_PREFIX = "aggregator/articles/"
DISCOVERED_PREFIX = "aggregator/discovered/"
OUTLET_PREFIX = "aggregator/outlet/"
REPOST_ROLES = ("repost", "excerpt")
FATAL_KIND = "aggregator/fatal/kind"  # the class name of the error that stopped a crawl
FATAL_MESSAGE = "aggregator/fatal/message"
_FATAL = {
    cls.__name__: cls for cls in (StoreError, WorkersDiedError, WriterDiedError, ClusterError)
}


def start_run(store: Store, outlets: Iterable[str]) -> int:
    with store.session() as session, session.begin():
        run = CrawlRunRow(outlets=list(outlets), started_at=datetime.now(UTC))
        session.add(run)
        session.flush()
        return run.id


def finish_run(store: Store, run_id: int, stats: Mapping[str, Any], reason: str | None) -> None:
    """Copy the crawl's counters onto its run row."""
    with store.session() as session, session.begin():
        run = session.get_one(CrawlRunRow, run_id)
        run.finished_at = datetime.now(UTC)
        run.finish_reason = reason
        run.pages_fetched = int(stats.get("response_received_count", 0))
        run.articles_new = int(stats.get(f"{ARTICLES_PREFIX}new", 0))
        run.articles_updated = int(stats.get(f"{ARTICLES_PREFIX}updated", 0))
        run.articles_unchanged = int(stats.get(f"{ARTICLES_PREFIX}unchanged", 0))
        run.stories_new = int(stats.get("aggregator/stories/new", 0))
        run.pages_not_modified = int(stats.get("aggregator/pages/not_modified", 0))
        run.urls_skipped = int(stats.get("aggregator/pages/skipped", 0))
        run.drops = with_prefix(stats, DROPPED_PREFIX)
        run.errors = with_prefix(stats, ERRORS_PREFIX)
        run.discovered = with_prefix(stats, DISCOVERED_PREFIX)
        run.by_outlet = by_outlet(stats)
        # New articles that joined another outlet's story: counted in the store, because
        # an original arriving after its repost turns the earlier article into the repost.
        run.reposts_attached = (
            session.scalar(
                select(func.count())
                .select_from(ArticleRow)
                .where(ArticleRow.first_seen >= run.started_at, ArticleRow.role.in_(REPOST_ROLES))
            )
            or 0
        )


def fatal_error(stats: Mapping[str, Any]) -> AggregatorError | None:
    """The error that stopped the crawl (a failing store, dying workers), from its stats."""
    kind = stats.get(FATAL_KIND)
    if kind is None:
        return None
    return _FATAL.get(kind, AggregatorError)(stats.get(FATAL_MESSAGE, kind))


def with_prefix(stats: Mapping[str, Any], prefix: str) -> dict[str, int]:
    return {
        key.removeprefix(prefix): int(value)
        for key, value in stats.items()
        if key.startswith(prefix)
    }


def by_outlet(stats: Mapping[str, Any]) -> dict[str, dict[str, int]]:
    """``aggregator/outlet/<key>/<counter>`` stats as {key: {counter: n}}."""
    outlets: dict[str, dict[str, int]] = {}
    for name, value in with_prefix(stats, OUTLET_PREFIX).items():
        key, _, counter = name.partition("/")
        outlets.setdefault(key, {})[counter] = value
    return outlets
