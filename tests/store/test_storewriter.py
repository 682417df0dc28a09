"""The crawl's store writer process: dedup, stories and crawl state written in the order the
crawl decided, in batches; a writer that dies loses nothing it reported stored."""

from __future__ import annotations

import asyncio
import os
import signal
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from aggregator import crawlstate as cs
from aggregator.crawlstate import CrawlState, Fetched, Found
from aggregator.errors import WriterDiedError
from aggregator.store import ArticleRow, LinkRow, Store
from aggregator.storewriter import ArticleWrite, Stored, StoreWriter

from ..dedup.support import CHROME, ESCAPE, OUTLETS, THREE_MAKE_CHROME, WORST, copy_of, demo_article

# Each test starts a writer process (spawned: it imports the package afresh).
pytestmark = pytest.mark.slow

FETCHED = datetime(2020, 1, 1, tzinfo=UTC)


def blog_posts() -> list[ArticleWrite]:
    """Three posts of one blog that end in the same comment form: the second looks like a copy
    of the first until the third shows the form is the blog's chrome."""
    titles = [demo_article(WORST).title, demo_article(ESCAPE).title, "A third short post."]
    return [
        ArticleWrite(
            "blog",
            copy_of(demo_article(ESCAPE), f"http://blog.test/{n}/", "\n".join([title, *CHROME])),
            FETCHED,
        )
        for n, title in enumerate(titles)
    ]


def test_links_re_verified_by_a_later_article_are_replaced_in_the_store(db_url: str) -> None:
    async def crawl() -> list[Stored]:
        writer = StoreWriter(db_url, OUTLETS, THREE_MAKE_CHROME, batch_articles=1)
        try:
            return [await writer.store(write) for write in blog_posts()]
        finally:
            await writer.close()

    first, second, third = asyncio.run(crawl())
    assert [r.status for r in (first, second, third)] == ["new", "new", "new"]
    assert second.linked, "the second post looked like a copy of the first"
    assert third.relinked == 2, "until the third made their comment form chrome"
    with Store(db_url) as store, store.session() as session:
        assert session.scalar(select(func.count()).select_from(LinkRow)) == 0, "nor in the store"
        assert session.scalar(select(func.count()).select_from(ArticleRow)) == 3


def test_state_and_articles_are_written_in_the_order_decided_in_shared_batches(
    db_url: str,
) -> None:
    url = "http://blog.test/0/"
    with Store(db_url) as store:
        pass  # created, as the crawl's owner does before the writer starts

    async def crawl() -> Stored:
        writer = StoreWriter(db_url, OUTLETS, THREE_MAKE_CHROME, batch_seconds=60)
        state = CrawlState.load(Store(db_url), ["blog"], writes=writer)
        state.queue("blog", [Found(url, cs.FEED)])
        write = blog_posts()[0]
        stored = Fetched(cs.STORED, kind=cs.ARTICLE, http_status=200, etag='"v1"')
        write = ArticleWrite("blog", write.article, FETCHED, [state.apply("blog", url, stored)])
        assert state.get("blog", url).status == cs.STORED, "the crawl reads its state from memory"
        try:
            pending = asyncio.ensure_future(writer.store(write))
            await asyncio.sleep(0.2)
            assert not pending.done(), "nothing is written until the batch is handed over"
            writer.flush()
            return await pending
        finally:
            await writer.close()

    assert asyncio.run(crawl()).status == "new"
    with Store(db_url) as store:
        known = CrawlState.load(store, ["blog"]).get("blog", url)
        assert known is not None
        assert (known.status, known.found_via, known.etag) == (cs.STORED, cs.FEED, '"v1"')


def test_a_writer_that_dies_fails_what_it_held_and_stops_taking_writes(db_url: str) -> None:
    async def crawl() -> tuple[BaseException | None, BaseException | None]:
        writer = StoreWriter(db_url, OUTLETS, THREE_MAKE_CHROME, batch_articles=1)
        first, second = blog_posts()[:2]
        try:
            await writer.store(first)  # the writer process is up
            os.kill(writer.pid, signal.SIGKILL)
            results = await asyncio.gather(
                writer.store(second), writer.store(second), return_exceptions=True
            )
        finally:
            await writer.close()
        return results[0], results[1]

    died, after = asyncio.run(crawl())
    assert isinstance(died, WriterDiedError) and isinstance(after, WriterDiedError)
    assert "fetched again by the next run" in str(died)
    with Store(db_url) as store, store.session() as session:
        urls = session.scalars(select(ArticleRow.url)).all()
    assert urls == ["http://blog.test/0/"], "what was reported stored is in the store"


@pytest.mark.parametrize("size", [1, 32])
def test_an_article_that_cannot_be_stored_costs_only_itself(db_url: str, size: int) -> None:
    async def crawl() -> list[Stored]:
        writer = StoreWriter(db_url, OUTLETS, THREE_MAKE_CHROME, batch_articles=size)
        good, _, other = blog_posts()
        unknown = ArticleWrite("no-such-outlet", good.article, FETCHED)
        try:
            return list(await asyncio.gather(*(writer.store(w) for w in (good, unknown, other))))
        finally:
            await writer.close()

    good, bad, other = asyncio.run(crawl())
    assert (good.status, other.status) == ("new", "new")
    assert bad.status == "store_error" and "no-such-outlet" in (bad.error or "")
