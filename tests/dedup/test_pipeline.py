"""The dedup pipeline hands the storage pipeline the links to write, re-verified ones included."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from sqlalchemy import func, select

from aggregator.dedup import Links
from aggregator.ingest import save_article
from aggregator.page import PageItem
from aggregator.store import LinkRow, Store
from pipelines.dedup import DedupPipeline

from .support import CHROME, ESCAPE, OUTLETS, THREE_MAKE_CHROME, WORST, copy_of, demo_article


class Stats(Counter):
    def inc_value(self, key: str, count: int = 1) -> None:
        self[key] += count


def item_for(outlet: str, article) -> PageItem:
    return PageItem(
        url=article.url,
        outlet=OUTLETS[outlet],
        status=200,
        html="",
        content_type="text/html",
        fetched_at=datetime(2020, 1, 1, tzinfo=UTC),
        article=article,
    )


def test_the_pipeline_passes_re_verified_links_to_storage(db_url: str) -> None:
    stats = Stats()
    pipeline = DedupPipeline(db_url, THREE_MAKE_CHROME, stats)
    pipeline.open_spider()
    store = Store(db_url)
    titles = [demo_article(WORST).title, demo_article(ESCAPE).title, "A third short post."]
    try:
        for number, title in enumerate(titles):
            article = copy_of(
                demo_article(ESCAPE), f"http://blog.test/{number}/", "\n".join([title, *CHROME])
            )
            item = pipeline.process_item(item_for("blog", article))
            assert isinstance(item.links, Links)
            with store.session() as session, session.begin():
                save_article(
                    session,
                    item.outlet,
                    item.article,
                    item.fingerprint,
                    item.links,
                    THREE_MAKE_CHROME,
                )
    finally:
        pipeline.close_spider()
    assert stats["aggregator/dedup/linked"] == 1, "the second post looked like a copy of the first"
    assert stats["aggregator/dedup/relinked"] == 2, "until the third made their comment form chrome"
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(LinkRow)) == 0, "nor in the store"
