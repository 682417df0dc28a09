"""SharedSlotMiddleware: a host's download delay held across every worker (issue 15, item 1).

Before each request a worker takes its host's slot in Redis, ``SET
aggregator:slot:<host> NX PX <delay>``, and waits while another worker holds
it: requests to one host start at least ``delay`` apart, whichever worker sends
them. The delay is the most cautious of ``AGGREGATOR_CLUSTER_HOST_DELAY`` and
the outlet's own (``DOWNLOAD_SLOTS``). A 429 or 503 with Retry-After holds the
host's slot for that long, for every worker.

Shared: the delay between requests and Retry-After pauses. Per worker: the
number of requests in flight to a host (``CONCURRENT_REQUESTS_PER_DOMAIN`` each;
the shared delay is what bounds the rate), AutoThrottle's estimate and the
robots.txt answer (each worker reads a host's robots.txt once).
"""

from __future__ import annotations

import asyncio
from typing import Any

from redis.asyncio import Redis
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response
from scrapy.utils.httpobj import urlparse_cached

from aggregator.faults import retry_after_seconds
from spiders.headers import header

SLOT_KEY = "aggregator:slot:{host}"
MIN_WAIT_MS = 5


class SharedSlotMiddleware:
    def __init__(self, redis: Redis, delay: float, settings: Any) -> None:
        self.redis = redis
        self.delay = delay
        self.settings = settings
        self._delays: dict[str, float] | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> SharedSlotMiddleware:
        settings = crawler.settings
        url = settings.get("AGGREGATOR_REDIS_URL")
        if not url:
            raise NotConfigured("no AGGREGATOR_REDIS_URL: the crawl's slots are its own")
        return cls(
            Redis.from_url(url), settings.getfloat("AGGREGATOR_CLUSTER_HOST_DELAY"), settings
        )

    async def process_request(self, request: Request) -> None:
        host = urlparse_cached(request).hostname or ""
        delay_ms = int(self._delay(host) * 1000)
        if delay_ms <= 0:
            return
        key = SLOT_KEY.format(host=host)
        while not await self.redis.set(key, 1, nx=True, px=delay_ms):
            left = await self.redis.pttl(key)
            await asyncio.sleep(max(int(left), MIN_WAIT_MS) / 1000)

    async def process_response(self, request: Request, response: Response) -> Response:
        if response.status in (429, 503):
            wait = retry_after_seconds(header(response, "Retry-After"))
            if wait:
                host = urlparse_cached(request).hostname or ""
                await self.redis.set(SLOT_KEY.format(host=host), 1, px=int(wait * 1000))
        return response

    def _delay(self, host: str) -> float:
        if self._delays is None:  # read at the first request: the spider sets the outlets' slots
            slots = self.settings.getdict("DOWNLOAD_SLOTS")
            self._delays = {h: float(s.get("delay", 0.0)) for h, s in slots.items()}
        return max(self.delay, self._delays.get(host, 0.0))
