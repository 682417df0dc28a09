"""The digest's figures against the stored rows, on SQLite and PostgreSQL (issue 14, item 2)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from aggregator.report import digest as digest_module
from aggregator.report import load_digest
from aggregator.report.digest import Digest
from aggregator.store import Store, StoryRow

from ..store.factory import START, Piece, add_story, fill_store
from ..store.postgres import fresh_database

JANUARY = (START, START + timedelta(days=31))
WIDE_STORY = 10_001


def build(store: Store) -> None:
    """600 stories over 60 days (a repost for every third), and one story reposted six times."""
    fill_store(store, 600, outlets=6, repost_every=3, distinct_days=60)
    text = "\n".join(f"Paragraph {n} of the wide story, long enough to compare." for n in range(6))
    published = START + timedelta(days=20)
    reposters = [1, 2, 2, 3, 4, 5]  # outlet 2 reposted it twice
    add_story(store, WIDE_STORY, 100_001, [
        Piece(0, published, text, title="Wide story"),
        *(Piece(o, published + timedelta(days=n + 1), text, similarity=1.0, containment=1.0)
          for n, o in enumerate(reposters)),
    ])  # fmt: skip


@pytest.fixture(scope="module")
def sqlite_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    with Store(f"sqlite:///{tmp_path_factory.mktemp('digest') / 'digest.sqlite'}") as store:
        build(store)
        yield store


def expected(store: Store, since: datetime, until: datetime) -> dict:
    """The same figures computed in Python from every story and article row."""
    with store.session() as session:
        stories = [
            s
            for s in session.scalars(select(StoryRow).options(selectinload(StoryRow.articles)))
            if s.first_published is not None and since <= s.first_published < until
        ]
    pairs: Counter[tuple[str, str]] = Counter()
    behind: defaultdict[tuple[str, str], set[int]] = defaultdict(set)
    for story in stories:
        canonical = next(a for a in story.articles if a.id == story.canonical_article_id)
        for article in story.articles:
            if article.id != canonical.id:
                pair = (f"o{article.outlet_id - 1}", f"o{canonical.outlet_id - 1}")
                pairs[pair] += 1
                behind[pair].add(story.id)
    return {
        "stories": len(stories),
        "reposts": sum(len(s.articles) - 1 for s in stories),
        "reposted": sum(len(s.articles) > 1 for s in stories),
        "pairs": dict(pairs),
        "behind": dict(behind),
        "top_count": max(len(s.articles) - 1 for s in stories),
    }


def matrix_figures(digest: Digest) -> tuple[dict, dict]:
    counts = {(c.reposter.key, c.original.key): c.reposts for c in digest.matrix.cells.values()}
    stories = {
        (c.reposter.key, c.original.key): c.story_count for c in digest.matrix.cells.values()
    }
    return counts, stories


def check_digest(store: Store) -> None:
    truth = expected(store, *JANUARY)
    with store.session() as session:
        digest = load_digest(session, *JANUARY)
    assert (digest.story_count, digest.repost_count, digest.reposted_story_count) == (
        truth["stories"],
        truth["reposts"],
        truth["reposted"],
    )
    counts, stories = matrix_figures(digest)
    assert counts == truth["pairs"]
    assert stories == {pair: len(ids) for pair, ids in truth["behind"].items()}
    # The most reposted first: the wide story, its reposting outlets named once each.
    top = digest.top[0]
    assert (top.story_id, top.repost_count, top.title) == (WIDE_STORY, 6, "Wide story")
    assert top.reposted_by == ("Outlet 1", "Outlet 2", "Outlet 3", "Outlet 4", "Outlet 5")
    assert [s.repost_count for s in digest.top] == sorted(
        (s.repost_count for s in digest.top), reverse=True
    )
    assert all(s.repost_count >= 1 for s in digest.top)
    for cell in digest.matrix.cells.values():
        ids = [s.story_id for s in cell.stories]
        assert set(ids) <= truth["behind"][(cell.reposter.key, cell.original.key)]
        assert len(ids) == min(digest_module.CELL_STORIES, cell.story_count)
        dates = [s.first_published for s in cell.stories]
        assert dates == sorted(dates, reverse=True)


def test_the_digest_counts_what_the_store_holds(sqlite_store: Store) -> None:
    check_digest(sqlite_store)


@pytest.mark.slow
@pytest.mark.postgres
def test_the_digest_counts_the_same_on_postgres(postgres: str) -> None:
    with fresh_database(postgres) as url, Store(url) as store:
        build(store)
        check_digest(store)


def test_a_range_without_stories_is_an_empty_digest(sqlite_store: Store) -> None:
    with sqlite_store.session() as session:
        digest = load_digest(session, datetime(1999, 1, 1, tzinfo=UTC), START)
    assert (digest.story_count, digest.repost_count, digest.top) == (0, 0, ())
    assert digest.matrix.cells == {} and digest.matrix.reposters == ()


def test_only_the_busiest_outlets_are_drawn(
    sqlite_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(digest_module, "MAX_OUTLETS", 2)
    with sqlite_store.session() as session:
        digest = load_digest(session, *JANUARY)
    matrix = digest.matrix
    assert len(matrix.reposters) == len(matrix.originals) == 2
    pairs = expected(sqlite_store, *JANUARY)["pairs"]
    assert (matrix.hidden_reposters, matrix.hidden_originals) == (
        len({reposter for reposter, _ in pairs}) - 2,
        len({original for _, original in pairs}) - 2,
    )
    assert {pair[0] for pair in matrix.cells} <= {o.id for o in matrix.reposters}
    totals: Counter[str] = Counter()
    for (reposter, _), count in pairs.items():
        totals[reposter] += count
    busiest = sorted(totals, key=lambda key: (-totals[key], int(key[1:])))[:2]
    assert [outlet.key for outlet in matrix.reposters] == busiest


def test_top_takes_the_number_asked_for(sqlite_store: Store) -> None:
    with sqlite_store.session() as session:
        digest = load_digest(session, *JANUARY, top=3)
    assert len(digest.top) == 3
