"""Crawl runs: one row per crawl, so a scheduled job's history is a query away."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from aggregator.store import CrawlRunRow, Store

DROPPED_PREFIX = "aggregator/dropped/"
ERRORS_PREFIX = "aggregator/errors/"
ARTICLES_PREFIX = "aggregator/articles/"


def start_run(store: Store, outlets: Iterable[str]) -> int:
    with store.session() as session, session.begin():
        run = CrawlRunRow(outlets=list(outlets), started_at=datetime.now(UTC))
        session.add(run)
        session.flush()
        return run.id


def finish_run(store: Store, run_id: int, stats: Mapping[str, Any], reason: str | None) -> None:
    """Copy the crawl's counters (Scrapy stats or any mapping) onto its run row."""
    with store.session() as session, session.begin():
        run = session.get(CrawlRunRow, run_id)
        run.finished_at = datetime.now(UTC)
        run.finish_reason = reason
        run.pages_fetched = int(stats.get("response_received_count", 0))
        run.articles_new = int(stats.get(f"{ARTICLES_PREFIX}new", 0))
        run.articles_updated = int(stats.get(f"{ARTICLES_PREFIX}updated", 0))
        run.articles_unchanged = int(stats.get(f"{ARTICLES_PREFIX}unchanged", 0))
        run.drops = _with_prefix(stats, DROPPED_PREFIX)
        run.errors = _with_prefix(stats, ERRORS_PREFIX) | {
            key.removeprefix("downloader/exception_type_count/"): value
            for key, value in stats.items()
            if key.startswith("downloader/exception_type_count/")
        }


def _with_prefix(stats: Mapping[str, Any], prefix: str) -> dict[str, int]:
    return {
        key.removeprefix(prefix): int(value)
        for key, value in stats.items()
        if key.startswith(prefix)
    }
