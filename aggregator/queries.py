"""Reading stories back: listings for the CLI and the records exports write."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from aggregator.store import ArticleRow, OutletRow, StoryRow

EXPORT_BATCH = 500


@dataclass(frozen=True)
class StoryFilter:
    """Which stories to list or export; every value reaches SQL as a bound parameter."""

    since: datetime | None = None
    until: datetime | None = None
    outlet: str | None = None  # outlet key of any article of the story
    search: str | None = None  # words in the canonical title or text
    min_reposts: int = 0
    limit: int | None = None


def stories_query(filters: StoryFilter) -> Select[tuple[StoryRow]]:
    query = select(StoryRow).join(ArticleRow, StoryRow.canonical_article_id == ArticleRow.id)
    if filters.since:
        query = query.where(StoryRow.first_published >= filters.since)
    if filters.until:
        query = query.where(StoryRow.first_published < filters.until)
    if filters.min_reposts:
        query = query.where(StoryRow.article_count >= filters.min_reposts + 1)
    if filters.outlet:
        members = (
            select(ArticleRow.story_id)
            .join(OutletRow, ArticleRow.outlet_id == OutletRow.id)
            .where(OutletRow.key == filters.outlet)
        )
        query = query.where(StoryRow.id.in_(members))
    if filters.search:
        for word in filters.search.split():
            pattern = f"%{word}%"
            query = query.where(ArticleRow.title.ilike(pattern) | ArticleRow.text.ilike(pattern))
    query = query.order_by(StoryRow.first_published.desc().nulls_last(), StoryRow.id)
    return query.limit(filters.limit) if filters.limit else query


def load_stories(session: Session, filters: StoryFilter) -> list[StoryRow]:
    """Stories with their articles and outlets loaded, newest first."""
    query = stories_query(filters).options(
        selectinload(StoryRow.articles).selectinload(ArticleRow.outlet),
        selectinload(StoryRow.canonical).selectinload(ArticleRow.outlet),
    )
    return list(session.scalars(query))


def load_story(session: Session, story_id: int) -> StoryRow | None:
    return session.scalar(
        select(StoryRow)
        .where(StoryRow.id == story_id)
        .options(selectinload(StoryRow.articles).selectinload(ArticleRow.outlet))
    )


def reposts_of(story: StoryRow) -> list[ArticleRow]:
    """The story's other articles, earliest first."""
    others = [a for a in story.articles if a.id != story.canonical_article_id]
    return sorted(
        others, key=lambda a: (a.published is None, a.published or datetime.min.astimezone(), a.id)
    )


def iter_story_records(session: Session, filters: StoryFilter) -> Iterator[dict[str, Any]]:
    """Export records, one per story, read in batches so memory stays flat."""
    ids = list(session.scalars(stories_query(filters).with_only_columns(StoryRow.id)))
    for start in range(0, len(ids), EXPORT_BATCH):
        batch = ids[start : start + EXPORT_BATCH]
        rows = session.scalars(
            select(StoryRow)
            .where(StoryRow.id.in_(batch))
            .options(selectinload(StoryRow.articles).selectinload(ArticleRow.outlet))
        )
        by_id = {row.id: row for row in rows}
        for story_id in batch:
            yield story_record(by_id[story_id])
        session.expunge_all()


def story_record(story: StoryRow) -> dict[str, Any]:
    canonical = next(a for a in story.articles if a.id == story.canonical_article_id)
    return {
        "story_id": story.id,
        "title": story.title,
        "canonical_reason": story.canonical_reason,
        "canonical": {
            "url": canonical.url,
            "outlet": canonical.outlet.key,
            "outlet_name": canonical.outlet.name,
            "title": canonical.title,
            "author": canonical.author,
            "published": _iso(canonical.published),
            "text": canonical.text,
            "attribution": _attribution(canonical),
        },
        "reposts": [
            {
                "url": repost.url,
                "outlet": repost.outlet.key,
                "outlet_name": repost.outlet.name,
                "title": repost.title,
                "published": _iso(repost.published),
                "role": repost.role,
                "similarity": _round(repost.similarity),
                "containment": _round(repost.containment),
                "attribution": _attribution(repost),
            }
            for repost in reposts_of(story)
        ],
    }


def _attribution(article: ArticleRow) -> dict[str, str | None] | None:
    if not article.attribution_text:
        return None
    return {
        "text": article.attribution_text,
        "outlet": article.attribution_outlet,
        "author": article.attribution_author,
        "url": article.attribution_url,
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def _round(value: float | None) -> float | None:
    return round(value, 4) if value is not None else None
