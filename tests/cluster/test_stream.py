"""The cluster's write path over a real redis-server: workers' changes pushed to a stream,
applied by one story writer, acknowledged only once committed; a dead writer's pending
entries are claimed by the next one, and nothing is stored twice."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
import redis
from sqlalchemy import func, select

from aggregator import crawlstate as cs
from aggregator.batches import ArticleWrite, BatchWriter, StateChange
from aggregator.crawlstate import UrlState
from aggregator.errors import EntryError
from aggregator.store import ArticleRow, CrawlRunRow, CrawlStateRow, Store
from aggregator.stream.codec import STREAM, decode, encode
from aggregator.stream.consumer import GROUP, StoryWriter
from aggregator.stream.producer import StreamWriter
from aggregator.stream.runlog import (
    QUEUED,
    RunNote,
    counters,
    encode_note,
    queued_note,
    worker_note,
)

from ..dedup.support import DEFAULT, ESCAPE, OUTLETS, WORST, copy_of, demo_article

FETCHED = datetime(2020, 1, 1, tzinfo=UTC)


def writes() -> list[ArticleWrite]:
    """Two posts and a repost of the first, each with the state row that says it is stored."""
    originals = [demo_article(WORST), demo_article(ESCAPE)]
    repost = copy_of(originals[0], "http://blog.test/copy/")
    return [
        ArticleWrite("blog" if a is repost else "htw", a, FETCHED, [(row(a.url), True)])
        for a in [*originals, repost]
    ]


def row(url: str | None, status: str = cs.STORED) -> UrlState:
    assert url is not None
    return UrlState(
        url, cs.ARTICLE, cs.FEED, status, FETCHED, http_status=200, last_fetched=FETCHED
    )


def push(url: str, changes: list) -> None:
    producer = StreamWriter(redis.Redis.from_url(url))
    for change in changes:
        if isinstance(change, ArticleWrite):
            asyncio.run(producer.store(change))
        else:
            producer.write(change.outlet, change.inserts, change.updates)


def writer(url: str, db_url: str, name: str) -> StoryWriter:
    return StoryWriter(
        redis.Redis.from_url(url), BatchWriter(Store(db_url), OUTLETS, DEFAULT), name=name
    )


def counts(db_url: str) -> tuple[int, int, int]:
    with Store(db_url) as store, store.session() as session:
        articles = session.scalar(select(func.count()).select_from(ArticleRow))
        stories = session.scalar(select(func.count(func.distinct(ArticleRow.story_id))))
        stored = session.scalar(
            select(func.count()).select_from(CrawlStateRow).where(CrawlStateRow.status == "stored")
        )
    return articles, stories, stored


def test_an_entry_is_the_change_it_was_made_from() -> None:
    article = writes()[2]
    state = StateChange("htw", [row("http://a.test/1/", cs.QUEUED)], [row("http://a.test/2/")])
    assert decode("1-0", encode(article)) == article
    assert decode("1-1", encode(state)) == state
    with pytest.raises(EntryError, match="stream entry 7-0: unknown kind 'pickle'"):
        decode("7-0", {b"kind": b"pickle", b"data": b"{}"})


def test_the_writer_stores_each_article_once_and_acknowledges_after_commit(
    redis_url: str, db_url: str
) -> None:
    push(redis_url, writes())
    story_writer = writer(redis_url, db_url, "w1")
    story_writer.join()
    assert story_writer.step(block_ms=10) == 3
    assert counts(db_url) == (3, 2, 3), "the repost joined its original's story"
    client = redis.Redis.from_url(redis_url)
    assert client.xpending(STREAM, GROUP)["pending"] == 0
    assert client.xlen(STREAM) == 0, "committed entries leave the stream"
    assert story_writer.counts["articles_new"] == 3


def test_a_dead_writers_pending_entries_are_applied_by_the_next_one_and_stored_once(
    redis_url: str, db_url: str
) -> None:
    push(redis_url, writes())
    client = redis.Redis.from_url(redis_url)
    dead = writer(redis_url, db_url, "dead")
    dead.join()
    # The dead writer read all three and committed the first two, then was killed before
    # acknowledging anything.
    client.xreadgroup(GROUP, "dead", {STREAM: ">"}, count=10)
    entries = [(i.decode(), f) for i, f in client.xrange(STREAM)]
    dead.writer.apply([decode(i, f) for i, f in entries[:2]])
    assert client.xpending(STREAM, GROUP)["pending"] == 3

    successor = writer(redis_url, db_url, "next")
    assert successor.reclaim() == 3
    assert counts(db_url) == (3, 2, 3)
    assert successor.counts == {
        "entries": 3,
        "articles_unchanged": 2,
        "articles_new": 1,
        "new_stories": 0,
    }
    assert client.xpending(STREAM, GROUP)["pending"] == 0


def test_an_entry_that_does_not_decode_is_set_aside_and_the_others_applied(
    redis_url: str, db_url: str
) -> None:
    client = redis.Redis.from_url(redis_url)
    client.xadd(STREAM, {"kind": "article", "data": "{not json"})
    push(redis_url, writes()[:1])
    story_writer = writer(redis_url, db_url, "w1")
    story_writer.join()
    assert story_writer.step(block_ms=10) == 2
    assert counts(db_url)[0] == 1
    (dead,) = client.xrange(f"{STREAM}:dead")
    assert b"JSONDecodeError" in dead[1][b"error"]


def test_an_answer_from_a_worker_that_did_not_know_the_url_replaces_the_queued_row(
    redis_url: str, db_url: str
) -> None:
    url = "http://a.test/1/"
    # One worker queued the URL; another fetched it without knowing it (an insert).
    push(redis_url, [StateChange("htw", [row(url, cs.QUEUED)], [])])
    push(redis_url, [StateChange("htw", [row(url, cs.READ)], [])])
    story_writer = writer(redis_url, db_url, "w1")
    story_writer.join()
    story_writer.step(block_ms=10)
    with Store(db_url) as store, store.session() as session:
        assert session.scalar(select(CrawlStateRow.status)) == cs.READ


def test_workers_wait_while_the_stream_is_full(redis_url: str) -> None:
    producer = StreamWriter(redis.Redis.from_url(redis_url), max_pending=1)
    asyncio.run(producer.store(writes()[0]))

    async def second() -> None:
        await asyncio.wait_for(producer.store(writes()[1]), timeout=0.5)

    with pytest.raises(TimeoutError):
        asyncio.run(second())
    assert producer.pushed == 1


def run_rows(db_url: str) -> list[CrawlRunRow]:
    with Store(db_url) as store, store.session() as session:
        rows = list(session.scalars(select(CrawlRunRow).order_by(CrawlRunRow.id)))
        session.expunge_all()
    return rows


def test_the_writer_keeps_the_runs_row_from_the_notes_in_the_stream(
    redis_url: str, db_url: str
) -> None:
    client = redis.Redis.from_url(redis_url)
    started = RunNote(QUEUED, FETCHED - timedelta(hours=1), ("htw",), new_run=True)
    client.xadd(STREAM, encode_note(started))  # type: ignore[arg-type]
    push(redis_url, writes())
    client.xadd(STREAM, encode_note(queued_note(["blog"], new_run=False)))  # type: ignore[arg-type]
    stats = {
        "response_received_count": 7,
        "aggregator/dropped/listing": 2,
        "aggregator/discovered/feed": 3,
        "aggregator/outlet/htw/pages": 5,
        "finish_reason": "finished",  # not a counter: left out of the note
    }
    for _ in range(2):  # two workers stop
        producer = StreamWriter(client)
        producer.note(worker_note(stats, "finished"))
    story_writer = writer(redis_url, db_url, "w1")
    story_writer.join()
    while story_writer.step(block_ms=10):
        pass
    (run,) = run_rows(db_url)
    assert run.outlets == ["htw", "blog"], "outlets queued mid-run join it"
    assert (run.articles_new, run.stories_new, run.reposts_attached) == (3, 2, 1)
    assert run.pages_fetched == 14 and run.drops == {"listing": 4}
    assert run.discovered == {"feed": 6} and run.by_outlet == {"htw": {"pages": 10}}
    assert run.finished_at is not None and run.finish_reason == "finished"

    client.xadd(STREAM, encode_note(queued_note(["htw"], new_run=True)))  # type: ignore[arg-type]
    restarted = writer(redis_url, db_url, "w2")  # a new run, seen by a restarted writer
    restarted.step(block_ms=10)
    assert [r.outlets for r in run_rows(db_url)] == [["htw", "blog"], ["htw"]]


def test_a_workers_note_carries_what_changed_since_its_last_one() -> None:
    first = {"response_received_count": 5, "aggregator/dropped/listing": 1, "log_count/INFO": 9}
    assert worker_note(first, "finished").stats == {
        "response_received_count": 5,
        "aggregator/dropped/listing": 1,
    }
    later = {**first, "response_received_count": 8}
    noted = counters(first)
    assert worker_note(later, "finished", since=noted).stats == {"response_received_count": 3}
    assert worker_note(first, "finished", since=noted).stats == {}, "nothing new: no note"


def test_a_runs_start_applied_again_by_a_restarted_writer_starts_no_second_row(
    redis_url: str, db_url: str
) -> None:
    client = redis.Redis.from_url(redis_url)
    start = encode_note(queued_note(["htw"], new_run=True))
    client.xadd(STREAM, start)  # type: ignore[arg-type]
    first = writer(redis_url, db_url, "w1")
    first.join()
    first.step(block_ms=10)
    client.xadd(STREAM, start)  # type: ignore[arg-type]  # as if reclaimed from a killed writer
    writer(redis_url, db_url, "w2").step(block_ms=10)
    assert len(run_rows(db_url)) == 1
