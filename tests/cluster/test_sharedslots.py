"""A host's politeness across workers: leases on requests in flight, the delay between them
and Retry-After, each worker a middleware of its own on one real redis-server."""

from __future__ import annotations

import asyncio
import time
from itertools import pairwise

import redis
from redis.asyncio import Redis
from scrapy import Request
from scrapy.http import Response
from scrapy.settings import Settings

from spiders.sharedslots import ACTIVE_KEY, LEASE, SharedSlotMiddleware

HOST = "news.example"


def worker(redis_url: str, delay: float = 0.0, **settings: object) -> SharedSlotMiddleware:
    """One worker's middleware; a host may have 2 requests in flight unless told otherwise."""
    values = {"CONCURRENT_REQUESTS_PER_DOMAIN": 2, "DOWNLOAD_TIMEOUT": 5, **settings}
    return SharedSlotMiddleware(Redis.from_url(redis_url), delay, Settings(values))


def request(path: str) -> Request:
    return Request(f"http://{HOST}/{path}")


async def started(middleware: SharedSlotMiddleware, req: Request, within: float) -> bool:
    """Did the request get past the middleware (a lease, the delay) within ``within`` s?"""
    try:
        await asyncio.wait_for(middleware.process_request(req), within)
    except TimeoutError:
        return False
    return True


def test_two_workers_together_keep_to_the_hosts_concurrency(redis_url: str) -> None:
    async def scenario() -> None:
        first, second = worker(redis_url), worker(redis_url)
        a, b, c = request("a"), request("b"), request("c")
        assert await started(first, a, 1) and await started(second, b, 1)
        waiting = asyncio.ensure_future(first.process_request(c))
        await asyncio.sleep(0.3)
        assert not waiting.done(), "a third request to the host waits, whichever worker sends it"
        await second.process_response(b, Response(b.url, request=b))
        await asyncio.wait_for(waiting, 2)
        assert LEASE in c.meta and LEASE not in b.meta

    asyncio.run(scenario())


def test_a_failed_download_gives_its_lease_back(redis_url: str) -> None:
    async def scenario() -> None:
        one = worker(redis_url, CONCURRENT_REQUESTS_PER_DOMAIN=1)
        a, b = request("a"), request("b")
        assert await started(one, a, 1)
        assert not await started(one, b, 0.2)
        await one.process_exception(a, TimeoutError("the host did not answer"))
        assert await started(one, b, 1)

    asyncio.run(scenario())


def test_an_outlets_lower_concurrency_is_the_limit(redis_url: str) -> None:
    async def scenario() -> None:
        slots = {HOST: {"concurrency": 1, "delay": 0.0}}
        one = worker(redis_url, DOWNLOAD_SLOTS=slots)
        assert await started(one, request("a"), 1)
        assert not await started(one, request("b"), 0.2)

    asyncio.run(scenario())


def test_a_killed_workers_leases_expire(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    past = (client.time()[0] - 60) * 1000  # two leases a killed worker took, expired a minute ago
    client.zadd(ACTIVE_KEY.format(host=HOST), {"dead-1": past, "dead-2": past})

    async def scenario() -> None:
        assert await started(worker(redis_url), request("a"), 1)

    asyncio.run(scenario())
    assert client.zscore(ACTIVE_KEY.format(host=HOST), "dead-1") is None
    client.close()


def test_requests_from_two_workers_start_the_delay_apart(redis_url: str) -> None:
    async def scenario() -> list[float]:
        first, second = worker(redis_url, delay=0.4), worker(redis_url, delay=0.4)
        starts = []
        for middleware, path in ((first, "a"), (second, "b"), (first, "c")):
            req = request(path)
            await middleware.process_request(req)
            starts.append(time.monotonic())
            await middleware.process_response(req, Response(req.url, request=req))
        return starts

    starts = asyncio.run(scenario())
    assert all(later - earlier >= 0.35 for earlier, later in pairwise(starts))


def test_a_retry_after_holds_the_host_for_every_worker(redis_url: str) -> None:
    async def scenario() -> None:
        first, second = worker(redis_url, delay=0.01), worker(redis_url, delay=0.01)
        a = request("a")
        await first.process_request(a)
        busy = Response(a.url, status=429, headers={"Retry-After": "2"}, request=a)
        await first.process_response(a, busy)
        assert not await started(second, request("b"), 1), "the other worker waits too"

    asyncio.run(scenario())
