"""The store's tables. Plain names, because analysts query them directly.

outlets ──< articles >── stories          (stories.canonical_article_id → articles)
               │
               ├── signatures              one fingerprint per article, for dedup
               └── article_links           verified overlaps between two articles
crawl_runs                                 one row per `aggregator crawl`
crawl_state                                one row per URL an outlet's crawls know

Views (story_overview, reposts, article_tags) and the full-text index
(articles_fts on SQLite) are raw SQL in the migrations; docs/schema.md
documents every table, column and view.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from aggregator.store.types import UTCDateTime


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict] = {
        datetime: UTCDateTime,
        dict[str, Any]: JSON,
        list[str]: JSON,
    }


class OutletRow(Base):
    __tablename__ = "outlets"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    url: Mapped[str] = mapped_column(Text)
    platform: Mapped[str] = mapped_column(String(30))
    aliases: Mapped[list[str]] = mapped_column(default=list)

    articles: Mapped[list[ArticleRow]] = relationship(back_populates="outlet")

    def names(self) -> tuple[str, ...]:
        return (self.name, *(self.aliases or ()))


class StoryRow(Base):
    __tablename__ = "stories"
    # Story listings and exports sort and filter by first publication.
    __table_args__ = (Index("ix_stories_first_published", "first_published"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    canonical_article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", use_alter=True, name="fk_stories_canonical_article")
    )
    title: Mapped[str | None] = mapped_column(Text)
    canonical_reason: Mapped[str] = mapped_column(Text)
    article_count: Mapped[int]
    first_published: Mapped[datetime | None]
    last_published: Mapped[datetime | None]
    updated_at: Mapped[datetime]

    canonical: Mapped[ArticleRow] = relationship(foreign_keys=[canonical_article_id])
    articles: Mapped[list[ArticleRow]] = relationship(
        back_populates="story", foreign_keys="ArticleRow.story_id", order_by="ArticleRow.id"
    )


class ArticleRow(Base):
    __tablename__ = "articles"
    __table_args__ = (
        Index("ix_articles_story", "story_id"),
        Index("ix_articles_published", "published"),
        Index("ix_articles_outlet", "outlet_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(Text, unique=True)
    outlet_id: Mapped[int] = mapped_column(ForeignKey("outlets.id"))
    title: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(Text)
    published: Mapped[datetime | None]
    updated: Mapped[datetime | None]
    date_source: Mapped[str | None] = mapped_column(String(30))
    text: Mapped[str] = mapped_column(Text)
    text_hash: Mapped[str] = mapped_column(String(32))
    word_count: Mapped[int]
    language: Mapped[str | None] = mapped_column(String(20))
    site_name: Mapped[str | None] = mapped_column(Text)
    categories: Mapped[list[str]] = mapped_column(default=list)
    tags: Mapped[list[str]] = mapped_column(default=list)
    attribution_outlet: Mapped[str | None] = mapped_column(Text)
    attribution_author: Mapped[str | None] = mapped_column(Text)
    attribution_url: Mapped[str | None] = mapped_column(Text)
    attribution_text: Mapped[str | None] = mapped_column(Text)
    first_seen: Mapped[datetime]
    fetched_at: Mapped[datetime]
    story_id: Mapped[int | None] = mapped_column(ForeignKey("stories.id"))
    role: Mapped[str | None] = mapped_column(String(20))
    similarity: Mapped[float | None]  # Jaccard similarity to the story's canonical text
    containment: Mapped[float | None]  # share of this text found in the canonical text

    outlet: Mapped[OutletRow] = relationship(back_populates="articles")
    story: Mapped[StoryRow | None] = relationship(
        back_populates="articles", foreign_keys=[story_id]
    )


class SignatureRow(Base):
    __tablename__ = "signatures"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    shingle_size: Mapped[int]
    fingerprint: Mapped[bytes] = mapped_column(LargeBinary)
    # The whole-text MinHash as datasketch LeanMinHash bytes, with the num_perm and seed it
    # was made under (sketches compare only under the same ones); null until computed.
    num_perm: Mapped[int | None]
    seed: Mapped[int | None]
    minhash: Mapped[bytes | None] = mapped_column(LargeBinary)


class LinkRow(Base):
    """A verified overlap between two articles; stored once, with article_id < other_id."""

    __tablename__ = "article_links"
    __table_args__ = (
        CheckConstraint("article_id < other_id", name="ck_article_links_ordered"),
        Index("ix_article_links_other", "other_id"),
    )

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    other_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    article_in_other: Mapped[float]
    other_in_article: Mapped[float]
    jaccard: Mapped[float]
    shared_shingles: Mapped[int]
    # Lines of each side around the text the two share (null: measured before issue 10).
    article_framing_lines: Mapped[int | None]
    other_framing_lines: Mapped[int | None]


class CrawlRunRow(Base):
    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    outlets: Mapped[list[str]] = mapped_column(default=list)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    finish_reason: Mapped[str | None] = mapped_column(String(100))
    pages_fetched: Mapped[int] = mapped_column(default=0)
    articles_new: Mapped[int] = mapped_column(default=0)
    articles_updated: Mapped[int] = mapped_column(default=0)
    articles_unchanged: Mapped[int] = mapped_column(default=0)
    drops: Mapped[dict[str, Any]] = mapped_column(default=dict)
    errors: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # issue 5: what an incremental run did, and per outlet.
    stories_new: Mapped[int] = mapped_column(default=0)
    reposts_attached: Mapped[int] = mapped_column(default=0)
    pages_not_modified: Mapped[int] = mapped_column(default=0)  # 304 answers to conditional GETs
    urls_skipped: Mapped[int] = mapped_column(default=0)  # known URLs not fetched again
    discovered: Mapped[dict[str, Any]] = mapped_column(default=dict)  # new URLs, by how found
    by_outlet: Mapped[dict[str, Any]] = mapped_column(default=dict)  # outlet key -> counters


class ArticleRevisionRow(Base):
    """An earlier text of an article, kept when a later fetch of its URL found the text
    changed: an update is a revision of the article, never a second article (issue 4).

    Revisions are numbered from 1 (the first text seen); the article row holds the
    current text, the revision rows every text it replaced.
    """

    __tablename__ = "article_revisions"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    revision: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    title: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    text_hash: Mapped[str] = mapped_column(String(32))
    word_count: Mapped[int]
    published: Mapped[datetime | None]
    updated: Mapped[datetime | None]
    fetched_at: Mapped[datetime]  # when this text was fetched
    replaced_at: Mapped[datetime]  # when the fetch that changed it happened


class CrawlStateRow(Base):
    """What the crawler knows about one URL of one outlet (issue 5): the incremental crawl's memory.

    ``kind`` is what the URL is (article, listing, feed, api, sitemap, robots);
    ``found_via`` how it was first found (api, feed, news_sitemap, sitemap,
    archive, link, config); ``status`` what became of it (queued, stored,
    dropped, error, read); ``lastmod`` the sitemap lastmod or WordPress
    modified time, ``content_hash`` the stored text's hash.
    """

    __tablename__ = "crawl_state"
    __table_args__ = (
        UniqueConstraint("outlet", "url", name="uq_crawl_state_outlet_url"),
        Index("ix_crawl_state_status", "outlet", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    outlet: Mapped[str] = mapped_column(String(100))
    url: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20))
    found_via: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str | None] = mapped_column(Text)
    http_status: Mapped[int | None]
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(String(64))
    lastmod: Mapped[datetime | None]
    published: Mapped[datetime | None]
    content_hash: Mapped[str | None] = mapped_column(String(32))
    first_seen: Mapped[datetime]
    last_fetched: Mapped[datetime | None]
