"""What a store holds, in numbers: for ``aggregator stats`` and for cron jobs that check on it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from aggregator.store.models import ArticleRow, CrawlRunRow, OutletRow, StoryRow
from aggregator.store.types import iso, stored_datetime


@dataclass(frozen=True)
class OutletStats:
    key: str
    name: str
    articles: int
    originals: int  # articles that are their story's canonical
    reposts: int
    first_published: datetime | None
    last_published: datetime | None


@dataclass(frozen=True)
class RunStats:
    id: int
    started_at: datetime
    finished_at: datetime | None
    finish_reason: str | None
    pages_fetched: int
    articles_new: int
    articles_updated: int


@dataclass(frozen=True)
class StoreStats:
    articles: int
    undated_articles: int
    stories: int
    stories_with_reposts: int
    reposts_by_role: dict[str, int]
    date_sources: dict[str, int]
    first_published: datetime | None
    last_published: datetime | None
    crawl_runs: int
    last_run: RunStats | None
    outlets: list[OutletStats] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values (dates as ISO-8601 UTC)."""
        return _jsonable(asdict(self))


def store_stats(session: Session) -> StoreStats:
    """Counts over the whole store: a handful of aggregate queries, nothing loaded row by row."""
    articles, undated, first, last = session.execute(
        select(
            func.count(ArticleRow.id),
            func.count(case((ArticleRow.published.is_(None), 1))),
            func.min(ArticleRow.published),
            func.max(ArticleRow.published),
        )
    ).one()
    stories, with_reposts = session.execute(
        select(func.count(StoryRow.id), func.count(case((StoryRow.article_count > 1, 1))))
    ).one()
    return StoreStats(
        articles=articles,
        undated_articles=undated,
        stories=stories,
        stories_with_reposts=with_reposts,
        reposts_by_role=_counts(session, ArticleRow.role, ArticleRow.role != "canonical"),
        date_sources=_counts(session, func.coalesce(ArticleRow.date_source, "none")),
        first_published=stored_datetime(first),
        last_published=stored_datetime(last),
        crawl_runs=session.scalar(select(func.count(CrawlRunRow.id))) or 0,
        last_run=_last_run(session),
        outlets=_outlets(session),
    )


def _counts(session: Session, column: Any, *where: Any) -> dict[str, int]:
    query = select(column, func.count()).where(column.is_not(None), *where).group_by(column)
    return {str(key): count for key, count in session.execute(query.order_by(column))}


def _outlets(session: Session) -> list[OutletStats]:
    is_original = ArticleRow.id == StoryRow.canonical_article_id
    query = (
        select(
            OutletRow.key,
            OutletRow.name,
            func.count(ArticleRow.id),
            func.count(case((is_original, 1))),
            func.count(case((ArticleRow.story_id.is_not(None) & ~is_original, 1))),
            func.min(ArticleRow.published),
            func.max(ArticleRow.published),
        )
        .outerjoin(ArticleRow, ArticleRow.outlet_id == OutletRow.id)
        .outerjoin(StoryRow, StoryRow.id == ArticleRow.story_id)
        .group_by(OutletRow.id, OutletRow.key, OutletRow.name)
        .order_by(OutletRow.key)
    )
    return [
        OutletStats(key, name, n, originals, reposts, stored_datetime(first), stored_datetime(last))
        for key, name, n, originals, reposts, first, last in session.execute(query)
    ]


def _last_run(session: Session) -> RunStats | None:
    run = session.scalar(select(CrawlRunRow).order_by(CrawlRunRow.id.desc()).limit(1))
    if run is None:
        return None
    return RunStats(
        run.id,
        run.started_at,
        run.finished_at,
        run.finish_reason,
        run.pages_fetched,
        run.articles_new,
        run.articles_updated,
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    return value
