"""The store and the write path: one transaction per article, stories recomputed, ids kept."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

import pytest

from aggregator.config import Outlet
from aggregator.dedup import DedupConfig
from aggregator.errors import StoreError
from aggregator.extract import extract_article
from aggregator.ingest import load_matcher, save_article
from aggregator.store import ArticleRow, Store, StoryRow

from ..helpers import CFR_ORIGINAL, HTW_CFR_REPOST, NEW_YORK, demo_page, rows

HTW = Outlet(key="htw", url="http://demo.test/htw/", name="Human Traffic Watch")
CFR = Outlet(key="cfr", url="http://demo.test/cfr/asia/", name="Council on Foreign Relations")
CONFIG = DedupConfig()


def ingest(store: Store, outlet: Outlet, path: str, text: str | None = None):
    """What the dedup and storage pipelines do for one page."""
    article = extract_article(*demo_page(path), NEW_YORK)
    if text is not None:
        article = dataclasses.replace(article, text=text)
    matcher = load_matcher(store, CONFIG)
    fingerprint = matcher.fingerprint(article.text)
    links = matcher.ingest(article.url, outlet.key, fingerprint)
    with store.session() as session, session.begin():
        return save_article(session, outlet, article, fingerprint, links, CONFIG, datetime.now(UTC))


def test_a_better_original_arriving_later_takes_over_the_story(db_url: str) -> None:
    store = Store(db_url)
    first = ingest(store, HTW, HTW_CFR_REPOST)
    assert (first.status, first.role, first.new_stories) == ("new", "canonical", 1)
    second = ingest(store, CFR, CFR_ORIGINAL)
    assert second.story_id == first.story_id, "the story keeps its id when it re-canonicalises"
    with store.session() as session:
        story = session.get(StoryRow, first.story_id)
        assert story.canonical.url.endswith(
            "/cfr/asia/2012/10/16/the-underground-railroad-from-north-korea-to-freedom/"
        )
        assert story.canonical_reason == "credited as the source by 1 repost"
        assert story.article_count == 2
        repost = session.get(ArticleRow, first.article_id)
        assert repost.role == "excerpt" and repost.containment > 0.95 and repost.similarity < 0.45
        assert story.first_published == datetime(2012, 10, 16, 4, 0, tzinfo=UTC)


def test_storing_the_same_article_twice_changes_nothing(db_url: str) -> None:
    store = Store(db_url)
    ingest(store, CFR, CFR_ORIGINAL)
    before = rows(db_url, "select * from articles")
    assert ingest(store, CFR, CFR_ORIGINAL).status == "unchanged"
    after = rows(db_url, "select * from articles")
    assert before == after


def test_a_changed_text_is_an_update_of_the_same_article(db_url: str) -> None:
    store = Store(db_url)
    ingest(store, HTW, HTW_CFR_REPOST)
    ingest(store, CFR, CFR_ORIGINAL)
    unrelated = "A completely different text about the weather in Seoul this week. " * 10
    result = ingest(store, HTW, HTW_CFR_REPOST, text=unrelated)
    assert result.status == "updated"
    with store.session() as session:
        assert session.query(ArticleRow).count() == 2
        assert session.query(StoryRow).count() == 2, (
            "the repost no longer carries the story: it splits off"
        )
        assert result.role == "canonical"


def test_dates_are_stored_as_iso_8601_utc_text(db_url: str) -> None:
    ingest(Store(db_url), CFR, CFR_ORIGINAL)
    ((published,),) = rows(db_url, "select published from articles")
    assert published == "2012-10-16T04:00:00Z"


def test_the_index_is_rebuilt_from_stored_fingerprints(db_url: str) -> None:
    store = Store(db_url)
    ingest(store, CFR, CFR_ORIGINAL)
    matcher = load_matcher(store, CONFIG)
    text = extract_article(*demo_page(HTW_CFR_REPOST)).text
    (link,) = matcher.ingest("new-url", "htw", matcher.fingerprint(text))
    assert link.b.endswith(
        "/cfr/asia/2012/10/16/the-underground-railroad-from-north-korea-to-freedom/"
    )


def test_bad_database_urls_are_store_errors(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="not a database URL"):
        Store("not a url")
    (tmp_path / "file").write_text("x")
    with pytest.raises(StoreError, match="cannot"):
        Store(f"sqlite:///{tmp_path / 'file' / 'store.sqlite'}")
