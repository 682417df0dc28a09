"""Helpers for the ``db copy`` tests: a store's every row, and a SQLite store file duplicated."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, select

from aggregator.store import Base, CrawlRunRow, CrawlStateRow, LinkRow, SignatureRow, Store
from aggregator.store.models import ArticleRevisionRow

from .factory import fill_store


def every_row(url: str) -> dict[str, list[tuple]]:
    """Each table's rows in primary-key order, read through the models' column types."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return {
                table.name: [
                    tuple(row)
                    for row in connection.execute(
                        select(table).order_by(*table.primary_key.columns)
                    )
                ]
                for table in Base.metadata.sorted_tables
            }
    finally:
        engine.dispose()


def duplicate(source: Path, target: Path) -> str:
    """A copy of a SQLite store file, made with SQLite's backup API; returns its URL."""
    with closing(sqlite3.connect(source)) as reader, closing(sqlite3.connect(target)) as writer:
        reader.backup(writer)
    return f"sqlite:///{target}"


def fill_every_table(url: str, stories: int = 30) -> None:
    """A small store with rows in every table: ``fill_store``'s stories, then a link, two
    signatures, a revision, a crawl run and crawl state (bytes with a NUL among them)."""
    when = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    with Store(url) as store:
        fill_store(store, stories)
        with store.session() as session, session.begin():
            session.add_all(
                [
                    SignatureRow(article_id=article_id, shingle_size=5,
                                 fingerprint=bytes([0, article_id, 255]) * 40, num_perm=128,
                                 seed=1, minhash=bytes(range(256)) if article_id == 5 else None)
                    for article_id in (5, 6)
                ]
                + [
                    LinkRow(article_id=5, other_id=6, article_in_other=0.31,
                            other_in_article=1.0, jaccard=0.31, shared_shingles=123,
                            article_framing_lines=None, other_framing_lines=2),
                    ArticleRevisionRow(article_id=5, revision=1, title="Story 3, first text",
                                       text="An earlier text.", text_hash="e" * 32,
                                       word_count=3, published=None, updated=when,
                                       fetched_at=when, replaced_at=when),
                    CrawlRunRow(outlets=["o0", "o1"], started_at=when, finished_at=when,
                                finish_reason="finished", drops={"too_short": 2},
                                errors={}, by_outlet={"o0": {"new": 1}}),
                    CrawlStateRow(outlet="o0", url="http://o0.test/5/", kind="article",
                                  found_via="feed", status="stored", etag='W/"x"',
                                  http_status=200, first_seen=when, last_fetched=when),
                ]
            )  # fmt: skip
