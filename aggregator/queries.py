"""Reading stories back: listings for the CLI and the records exports write.

Every filter value reaches the database as a bound parameter. Listings and
exports walk the stories page by page (keyset pagination on the sort order),
so memory stays flat however many stories a store holds.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, func, literal_column, or_, select
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session, selectinload

from aggregator.records import (
    CANONICAL_FIELDS,
    CREDIT,
    CREDIT_PARTS,
    DATE,
    FLOAT,
    LIST,
    REPOST_FIELDS,
    STORY_FIELDS,
    Field,
)
from aggregator.store import ArticleRow, LinkRow, OutletRow, StoryRow
from aggregator.store.rawsql import FTS_TABLE, PG_FULLTEXT_CONFIG
from aggregator.store.types import iso

PAGE_SIZE = 500  # stories read per query: listing and export memory stays flat


@dataclass(frozen=True)
class StoryFilter:
    """Which stories to list or export; every value reaches SQL as a bound parameter."""

    since: datetime | None = None  # first published on or after
    until: datetime | None = None  # first published before
    outlet: str | None = None  # outlet key of any article of the story
    search: str | None = None  # words in the canonical title or text (all of them)
    min_reposts: int = 0
    limit: int | None = None


def stories_query(filters: StoryFilter, dialect: str = "sqlite") -> Select[StoryRow]:
    """Stories matching ``filters``, newest first (undated last), then by id."""
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
    words = (filters.search or "").split()
    if words:
        query = query.where(_search_condition(words, dialect))
    return query.order_by(StoryRow.first_published.desc().nulls_last(), StoryRow.id)


def _search_condition(words: list[str], dialect: str) -> ColumnElement[bool]:
    """Canonical title or text holds every word: FTS5 on SQLite, tsvector on PostgreSQL."""
    if dialect == "postgresql":
        document: ColumnElement[Any] = literal_column(
            f"to_tsvector('{PG_FULLTEXT_CONFIG}', "
            "coalesce(articles.title, '') || ' ' || articles.text)"
        )
        query = func.plainto_tsquery(PG_FULLTEXT_CONFIG, bindparam("search", " ".join(words)))
        return document.op("@@")(query)
    # Each word as an FTS5 phrase ("a" "b" = a AND b), so no word is read as FTS syntax.
    phrases = " ".join('"' + word.replace('"', '""') + '"' for word in words)
    matching = sql_text(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :search")
    return ArticleRow.id.in_(matching.bindparams(search=phrases))


def _after(last: StoryRow) -> ColumnElement[bool]:
    """Stories that sort after ``last`` in ``stories_query`` order (the keyset condition)."""
    if last.first_published is None:
        return and_(StoryRow.first_published.is_(None), StoryRow.id > last.id)
    return or_(
        StoryRow.first_published < last.first_published,
        and_(StoryRow.first_published == last.first_published, StoryRow.id > last.id),
        StoryRow.first_published.is_(None),
    )


def iter_stories(
    session: Session, filters: StoryFilter, page_size: int = PAGE_SIZE
) -> Iterator[StoryRow]:
    """Stories with their articles and outlets loaded, newest first, one page in memory at a time.

    Each page is detached from the session once it has been handed out, so
    memory does not grow with the number of stories.
    """
    base = stories_query(filters, session.get_bind().dialect.name).options(
        selectinload(StoryRow.articles).selectinload(ArticleRow.outlet),
        selectinload(StoryRow.canonical).selectinload(ArticleRow.outlet),
    )
    remaining = filters.limit
    last: StoryRow | None = None
    while remaining is None or remaining > 0:
        size = page_size if remaining is None else min(page_size, remaining)
        query = base if last is None else base.where(_after(last))
        page = list(session.scalars(query.limit(size)))
        yield from page
        if len(page) < size:
            return
        last = page[-1]
        remaining = None if remaining is None else remaining - len(page)
        session.expunge_all()


def load_stories(session: Session, filters: StoryFilter) -> list[StoryRow]:
    """Stories with their articles and outlets loaded, newest first."""
    return list(iter_stories(session, filters))


def load_story(session: Session, story_id: int) -> StoryRow | None:
    return session.scalar(
        select(StoryRow)
        .where(StoryRow.id == story_id)
        .options(selectinload(StoryRow.articles).selectinload(ArticleRow.outlet))
    )


def carried_shares(session: Session, canonical_id: int) -> dict[int, float]:
    """Per article linked to the canonical: the share of the canonical's text found in it."""
    rows = session.scalars(
        select(LinkRow).where(
            or_(LinkRow.article_id == canonical_id, LinkRow.other_id == canonical_id)
        )
    )
    return {
        (r.other_id if r.article_id == canonical_id else r.article_id): (
            r.article_in_other if r.article_id == canonical_id else r.other_in_article
        )
        for r in rows
    }


def outlet_keys(session: Session) -> list[str]:
    """The keys of the outlets the store has articles from (or had), sorted."""
    return list(session.scalars(select(OutletRow.key).order_by(OutletRow.key)))


def reposts_of(story: StoryRow) -> list[ArticleRow]:
    """The story's other articles, earliest first."""
    others = [a for a in story.articles if a.id != story.canonical_article_id]
    return sorted(
        others,
        key=lambda a: (a.published is None, a.published.timestamp() if a.published else 0, a.id),
    )


def iter_story_records(
    session: Session, filters: StoryFilter, page_size: int = PAGE_SIZE
) -> Iterator[dict[str, Any]]:
    """Export records, one per story, read page by page so memory stays flat."""
    for story in iter_stories(session, filters, page_size):
        yield story_record(story)


def story_record(story: StoryRow) -> dict[str, Any]:
    """The export contract (``aggregator.records``): a story, its canonical article in full,
    its reposts nested."""
    canonical = next(a for a in story.articles if a.id == story.canonical_article_id)
    reposts = reposts_of(story)
    return {
        **{
            f.name: len(reposts) if f.name == "repost_count" else _value(story, f)
            for f in STORY_FIELDS
        },
        "canonical": {f.name: _value(canonical, f) for f in CANONICAL_FIELDS},
        "reposts": [{f.name: _value(repost, f) for f in REPOST_FIELDS} for repost in reposts],
    }


def _value(row: StoryRow | ArticleRow, field: Field) -> Any:
    """A field of a record, read from its row and written as every export writes it."""
    if field.kind == CREDIT:
        return _attribution(row) if isinstance(row, ArticleRow) else None
    value = attrgetter(field.attribute)(row)
    if field.kind == DATE:
        return iso(value)
    if field.kind == LIST:
        return list(value or ())
    if field.kind == FLOAT:
        return _round(value)
    return value


def _attribution(article: ArticleRow) -> dict[str, str | None] | None:
    if not article.attribution_text:
        return None
    return {part: getattr(article, f"attribution_{part}") for part in CREDIT_PARTS}


def _round(value: float | None) -> float | None:
    return round(value, 4) if value is not None else None
