"""The outlet queue, the sources every worker waits for and the shared request dupefilter,
on a real redis-server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis
from scrapy import Request

from aggregator import crawlstate as cs
from aggregator.crawlconfig import CrawlConfig
from aggregator.crawlstate import CrawlState
from aggregator.frontier import Answer, Frontier, Tally
from aggregator.sites import site_for
from aggregator.store import Store
from aggregator.stream.outlets import AWAITING_KEY, DUPEFILTER_KEY, AwaitedSources, OutletQueue
from spiders.shareddupefilter import SharedDupeFilter
from tests.crawl.test_frontier import WP


@pytest.fixture
def client(redis_url: str) -> Iterator[redis.Redis]:
    connection = redis.Redis.from_url(redis_url)
    yield connection
    connection.close()


def worker_frontier(store: Store, client: redis.Redis) -> Frontier:
    """One worker's frontier: its own run memory and crawl state, the shared sources."""
    state = CrawlState.load(store, [WP.key])
    return Frontier(
        CrawlConfig(), {WP.key: WP}, {WP.key: site_for(WP)}, state, Tally(),
        awaiting=AwaitedSources(client),
    )  # fmt: skip


def test_a_source_one_worker_planned_and_another_answered_ends_the_first_ones_wait(
    client: redis.Redis,
) -> None:
    with Store("sqlite://") as store:
        planner, other = worker_frontier(store, client), worker_frontier(store, client)
        sources = [f for f in planner.discovery(WP.key) if f.reader != cs.ROBOTS]
        assert planner.sources_pending and other.sources_pending
        for fetch in sources:
            assert other.source_answered(fetch, Answer(200, fetch.url))
        assert not planner.sources_pending, "the planner's archive pages need not wait"


def test_the_shared_set_behaves_as_a_set_and_expires(client: redis.Redis) -> None:
    shared, seen_elsewhere = AwaitedSources(client), AwaitedSources(client)
    shared.add("http://a.example/feed/")
    shared.add("http://a.example/feed/")
    assert len(seen_elsewhere) == 1 and "http://a.example/feed/" in seen_elsewhere
    assert list(seen_elsewhere) == ["http://a.example/feed/"]
    assert 0 < client.ttl(AWAITING_KEY) <= 86_400, "a killed worker's leftovers expire"
    seen_elsewhere.discard("http://a.example/feed/")
    seen_elsewhere.discard("http://a.example/feed/")  # twice: no error
    assert not shared


def test_a_new_run_forgets_what_a_killed_worker_left_awaited(client: redis.Redis) -> None:
    AwaitedSources(client).add("http://a.example/feed/")
    OutletQueue(client).push(["wp"])
    assert not AwaitedSources(client)


def test_the_shared_dupefilter_lets_a_redirect_hop_through_as_one_machine_does(
    client: redis.Redis,
) -> None:
    workers = SharedDupeFilter(client, DUPEFILTER_KEY), SharedDupeFilter(client, DUPEFILTER_KEY)
    moved = "http://a.example/wp/2016/01/04/post-001/"
    assert not workers[0].request_seen(Request(moved))
    assert workers[1].request_seen(Request(moved)), "any worker's request counts"
    hop = Request(moved, meta={"redirect_urls": ["http://a.example/wp/?p=1"]})
    assert not workers[1].request_seen(hop), "the old address gets its answer"
