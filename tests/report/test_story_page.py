"""What a story page is built from, read from SQLite and PostgreSQL stores (issue 14, item 1)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert

from aggregator.report import Renderer, UnknownStoryError, load_story_page
from aggregator.store import LinkRow, OutletRow, Store

from ..store.factory import Piece, add_story
from ..store.postgres import fresh_database

PUBLISHED = datetime(2012, 10, 16, 4, 0, tzinfo=UTC)
PARAGRAPHS = [
    f"Paragraph {n} says something of its own about the border, in {n} ways." for n in range(7)
]


def build(store: Store) -> None:
    """A canonical of seven paragraphs, an excerpt of two with an intro, an undated full copy."""
    with store.engine.begin() as connection:
        connection.execute(
            insert(OutletRow),
            [{"id": n + 1, "key": f"o{n}", "name": f"Outlet {n}", "url": f"http://o{n}.test/",
              "platform": "wordpress", "aliases": []} for n in range(3)],
        )  # fmt: skip
    add_story(store, 1, 1, [
        Piece(0, PUBLISHED, "\n".join(PARAGRAPHS), title="Seven paragraphs"),
        Piece(1, PUBLISHED + timedelta(days=4, hours=3),
              "\n".join(["Our intro, written here, for our readers.", *PARAGRAPHS[2:4]]),
              role="excerpt", similarity=0.3, containment=0.9, credit="Source: Outlet 0"),
        Piece(2, None, "\n".join(PARAGRAPHS), similarity=1.0, containment=1.0),
    ])  # fmt: skip
    with store.engine.begin() as connection:
        connection.execute(
            insert(LinkRow),
            [{"article_id": 1, "other_id": 2, "article_in_other": 0.29, "other_in_article": 0.9,
              "jaccard": 0.3, "shared_shingles": 40}],
        )  # fmt: skip


def check(store: Store) -> None:
    with store.session() as session:
        page = load_story_page(session, 1)
        with pytest.raises(UnknownStoryError, match=r"^no story with id 2$"):
            load_story_page(session, 2)
    assert page.canonical.title == "Seven paragraphs" and page.outlets == 3
    excerpt, copy = page.reposts  # earliest first, undated last
    assert (excerpt.gap, excerpt.carried, excerpt.alignment.taken) == ("+4 days", 0.29, (3, 4))
    assert [row.label for row in excerpt.alignment.added] == ["intro"]
    assert (copy.gap, copy.carried, copy.alignment.taken) == ("undated", None, tuple(range(1, 8)))
    assert [lane.outlet for lane in page.timeline.lanes] == ["Outlet 0", "Outlet 1", "Outlet 2"]
    html = Renderer().story(page)
    assert "Our intro, written here, for our readers." in html


def test_a_story_page_from_sqlite(tmp_path: Path) -> None:
    with Store(f"sqlite:///{tmp_path / 'store.sqlite'}") as store:
        build(store)
        check(store)


@pytest.mark.slow
@pytest.mark.postgres
def test_a_story_page_from_postgres(postgres: str) -> None:
    with fresh_database(postgres) as url, Store(url) as store:
        build(store)
        check(store)
