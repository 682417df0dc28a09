"""WorkerSpider: the outlet spider as one of a cluster's crawl workers (issue 15, item 1).

The same spider, frontier and pipelines; what differs is where outlets and
requests come from. Outlets are popped from the Redis list ``aggregator crawl
--redis`` fills (``aggregator.stream.outlets``), so each outlet's starts are
planned by one worker, from the crawl state as the store has it then; requests
go through scrapy-redis' shared queue, so any worker may fetch any of them.
A worker waits for more work (``AGGREGATOR_WORKER_IDLE_EXIT`` = 0) or exits
after that many idle seconds. Scrapyd runs it as ``scrapy crawl worker -s
AGGREGATOR_REDIS_URL=...``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from time import monotonic
from typing import Any

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured

from aggregator.stream.outlets import AwaitedSources, OutletQueue
from spiders.crawlrun import CrawlRun
from spiders.outlet import OutletSpider

logger = logging.getLogger(__name__)

POP = 50  # outlets a worker plans at once


class WorkerSpider(OutletSpider):
    name = "worker"
    outlet_queue: OutletQueue
    awaited: AwaitedSources
    idle_exit: float

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._planning: asyncio.Future[None] | None = None
        self._idle_since: float | None = None
        self._seen = -1

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> WorkerSpider:
        url = crawler.settings.get("AGGREGATOR_REDIS_URL")
        if not url:
            raise NotConfigured("a worker needs AGGREGATOR_REDIS_URL (aggregator worker --redis)")
        from redis import Redis  # the cluster extra: `scrapy list` works without it

        spider = super().from_crawler(crawler, *args, **kwargs)
        assert isinstance(spider, WorkerSpider)
        redis = Redis.from_url(url)
        spider.outlet_queue = OutletQueue(redis)
        spider.awaited = AwaitedSources(redis)
        spider.idle_exit = crawler.settings.getfloat("AGGREGATOR_WORKER_IDLE_EXIT")
        crawler.signals.connect(spider.idle, signal=signals.spider_idle)
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        self.plan_with(CrawlRun.of(self.crawler).state, self.awaited)
        async for request in self.popped():
            yield request

    async def popped(self) -> AsyncIterator[scrapy.Request]:
        """Requests for the outlets waiting in Redis, planned as the one-machine crawl does."""
        run = CrawlRun.of(self.crawler)
        while keys := self.outlet_queue.pop(POP):
            unknown = [k for k in keys if k not in self.outlets]
            if unknown:
                logger.error("outlets %s are not in this worker's config: skipped", unknown)
            keys = [k for k in keys if k in self.outlets]
            for key in keys:
                run.reload(key)
                for fetch in self.frontier.resume(key) + self.frontier.discovery(key):
                    yield self.request(fetch)
            deadline = monotonic() + self.config.sources_wait
            while self.frontier.sources_pending and monotonic() < deadline:
                await asyncio.sleep(0.05)
            for key in keys:
                for fetch in self.frontier.archive(key):
                    yield self.request(fetch)

    def idle(self, spider: Any) -> None:
        """Plan outlets queued since; stay open while there may be work, or for ever."""
        if self._planning is not None and not self._planning.done():
            raise DontCloseSpider
        if self.outlet_queue.waiting():
            self._planning = asyncio.ensure_future(self._crawl_popped())
            raise DontCloseSpider
        CrawlRun.of(self.crawler).note_counters("finished")  # the shared queue is empty
        seen = self.crawler.stats.get_value("response_received_count", 0)
        if seen != self._seen:
            self._seen, self._idle_since = seen, monotonic()
        if not self.idle_exit or monotonic() - (self._idle_since or 0) < self.idle_exit:
            raise DontCloseSpider
        logger.info("no work for %.0f s: the worker exits", self.idle_exit)

    async def _crawl_popped(self) -> None:
        async for request in self.popped():
            self.crawler.engine.crawl(request)
