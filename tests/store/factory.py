"""Synthetic stores of any size, written straight into the tables (no crawl, no dedup).

Story ``i`` (from 1) has a canonical article of outlet ``o{i % outlets}``;
every ``repost_every``-th story has one repost from the next outlet; every
``undated_every``-th story is undated; dates repeat every ``distinct_days``
stories, so keyset pagination meets ties and undated stories.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, insert

from aggregator.store import ArticleRow, OutletRow, Store, StoryRow

START = datetime(2012, 1, 1, tzinfo=UTC)
PARAGRAPH = (
    "Story {i} tells of refugees crossing the river at night, of brokers paid in advance, "
    "and of families waiting for news that comes weeks later, if it comes at all. "
)


def fill_store(
    store: Store,
    stories: int,
    outlets: int = 5,
    repost_every: int = 3,
    undated_every: int = 10,
    distinct_days: int = 400,
    paragraphs: int = 8,
    chunk: int = 2_000,
) -> None:
    """Write ``stories`` stories (and their reposts) in chunks, one transaction per chunk."""
    now = datetime(2026, 1, 1, tzinfo=UTC)
    with store.engine.begin() as connection:
        connection.execute(
            insert(OutletRow),
            [
                {"id": n + 1, "key": f"o{n}", "name": f"Outlet {n}", "url": f"http://o{n}.test/",
                 "platform": "wordpress", "aliases": []}
                for n in range(outlets)
            ],
        )  # fmt: skip
    for first in range(1, stories + 1, chunk):
        numbers = range(first, min(first + chunk, stories + 1))
        articles, story_rows = [], []
        for i in numbers:
            published = (
                None if i % undated_every == 0 else START + timedelta(days=i % distinct_days)
            )
            text = PARAGRAPH.format(i=i) * paragraphs
            canonical = _article(i * 2 - 1, i, f"http://o{i % outlets}.test/{i}/", i % outlets,
                                 published, text, now, "canonical")  # fmt: skip
            articles.append(canonical)
            dates = [published]
            if i % repost_every == 0:
                later = published + timedelta(days=2) if published else None
                repost = _article(i * 2, i, f"http://o{(i + 1) % outlets}.test/re/{i}/",
                                  (i + 1) % outlets, later, text[: len(text) // 3], now, "excerpt")  # fmt: skip
                repost.update(similarity=0.33, containment=1.0,
                              attribution_text=f"Source: Outlet {i % outlets}",
                              attribution_outlet=f"Outlet {i % outlets}")  # fmt: skip
                articles.append(repost)
                dates.append(later)
            story_rows.append(_story(i, i * 2 - 1, len(dates), dates, now))
        _write(store, articles, story_rows)


def _article(
    article_id: int, story_id: int, url: str, outlet: int, published: datetime | None,
    text: str, now: datetime, role: str,
) -> dict[str, Any]:  # fmt: skip
    return {
        "id": article_id, "url": url, "outlet_id": outlet + 1, "title": f"Story {story_id}",
        "author": "A. Writer", "published": published, "date_source": "json-ld" if published else None,
        "text": text, "text_hash": f"{article_id:032x}", "word_count": len(text.split()),
        "categories": ["Asia"], "tags": ["refugees"], "first_seen": now, "fetched_at": now,
        "story_id": story_id, "role": role, "similarity": None, "containment": None,
        "attribution_text": None, "attribution_outlet": None,
    }  # fmt: skip


def _story(
    story_id: int, canonical: int, count: int, dates: list[datetime | None], now: datetime
) -> dict[str, Any]:
    known = [d for d in dates if d is not None]
    return {
        "id": story_id, "canonical_article_id": canonical, "title": f"Story {story_id}",
        "canonical_reason": "earliest published", "article_count": count,
        "first_published": min(known, default=None), "last_published": max(known, default=None),
        "updated_at": now,
    }  # fmt: skip


def _write(store: Store, articles: list[dict], stories: list[dict]) -> None:
    """Articles and stories point at each other: SQLite checks both keys at commit."""
    with store.engine.begin() as connection:
        if store.dialect == "sqlite":
            connection.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
            connection.execute(insert(StoryRow), stories)
            connection.execute(insert(ArticleRow), articles)
        else:
            connection.execute(insert(ArticleRow), [{**a, "story_id": None} for a in articles])
            connection.execute(insert(StoryRow), stories)
            connection.execute(
                ArticleRow.__table__.update()
                .where(ArticleRow.id == bindparam("article_id"))
                .values(story_id=bindparam("story")),
                [{"article_id": a["id"], "story": a["story_id"]} for a in articles],
            )


@dataclass(frozen=True)
class Piece:
    """One article of a story written by ``add_story``: the first piece is the canonical."""

    outlet: int  # outlet number n (outlet id n + 1), as fill_store numbers them
    published: datetime | None
    text: str
    role: str = "repost"
    similarity: float | None = None
    containment: float | None = None
    credit: str | None = None
    title: str | None = None
    url: str | None = None


def add_story(store: Store, story_id: int, first_article_id: int, pieces: list[Piece]) -> None:
    """Write one story of any shape (a canonical and its reposts) beside what is stored."""
    now = datetime(2026, 1, 1, tzinfo=UTC)
    articles = []
    for number, piece in enumerate(pieces):
        article_id = first_article_id + number
        url = piece.url or f"http://o{piece.outlet}.test/story/{story_id}/{article_id}/"
        role = "canonical" if number == 0 else piece.role
        row = _article(
            article_id, story_id, url, piece.outlet, piece.published, piece.text, now, role
        )
        row.update(
            title=piece.title or f"Story {story_id}", similarity=piece.similarity,
            containment=piece.containment, attribution_text=piece.credit,
        )  # fmt: skip
        articles.append(row)
    story = _story(story_id, first_article_id, len(pieces), [p.published for p in pieces], now)
    story["title"] = pieces[0].title or story["title"]
    _write(store, articles, [story])
