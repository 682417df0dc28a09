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
from sqlalchemy.orm import Session

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


def start_run(store: Store, outlets: Iterable[str], started_at: datetime | None = None) -> int:
    with store.session() as session, session.begin():
        run = CrawlRunRow(outlets=list(outlets), started_at=started_at or datetime.now(UTC))
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
        run.reposts_attached = _reposts_since(session, run.started_at)


def add_worker_counters(
    store: Store, run_id: int, stats: Mapping[str, Any], reason: str | None, at: datetime
) -> None:
    """Add a cluster worker's counters to its run's row (``aggregator.stream.runlog``); the
    run counts as finished when its last worker stopped, for that worker's reason."""
    with store.session() as session, session.begin():
        run = session.get_one(CrawlRunRow, run_id)
        run.finished_at = at
        run.finish_reason = reason
        run.pages_fetched += int(stats.get("response_received_count", 0))
        run.pages_not_modified += int(stats.get("aggregator/pages/not_modified", 0))
        run.urls_skipped += int(stats.get("aggregator/pages/skipped", 0))
        run.drops = _summed(run.drops, with_prefix(stats, DROPPED_PREFIX))
        run.errors = _summed(run.errors, with_prefix(stats, ERRORS_PREFIX))
        run.discovered = _summed(run.discovered, with_prefix(stats, DISCOVERED_PREFIX))
        outlets = by_outlet(stats)
        run.by_outlet = {
            key: _summed(run.by_outlet.get(key, {}), outlets.get(key, {}))
            for key in dict.fromkeys([*run.by_outlet, *outlets])
        }
        run.reposts_attached = _reposts_since(session, run.started_at)


def count_articles(store: Store, run_id: int, statuses: Mapping[str, int], stories: int) -> None:
    """Add articles a cluster's story writer committed (by status) to the run's row."""
    with store.session() as session, session.begin():
        run = session.get_one(CrawlRunRow, run_id)
        run.articles_new += statuses.get("new", 0)
        run.articles_updated += statuses.get("updated", 0)
        run.articles_unchanged += statuses.get("unchanged", 0)
        run.stories_new += stories


def _summed(counts: Mapping[str, int], more: Mapping[str, int]) -> dict[str, int]:
    return {key: counts.get(key, 0) + more.get(key, 0) for key in dict.fromkeys([*counts, *more])}


def _reposts_since(session: Session, started_at: datetime) -> int:
    # New articles that joined another outlet's story: counted in the store, because
    # an original arriving after its repost turns the earlier article into the repost.
    return (
        session.scalar(
            select(func.count())
            .select_from(ArticleRow)
            .where(ArticleRow.first_seen >= started_at, ArticleRow.role.in_(REPOST_ROLES))
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
