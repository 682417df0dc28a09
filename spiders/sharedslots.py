"""SharedSlotMiddleware: a host's politeness held across every worker (issue 15, item 1).

**Requests in flight.** Before each request a worker takes a lease on its host,
a member of the sorted set ``aggregator:active:<host>`` scored by when it
expires, and waits while the set holds as many leases as the host allows
(``CONCURRENT_REQUESTS_PER_DOMAIN``, or the outlet's lower ``concurrency``): as on
one machine, whichever workers send them. The answer (or the failure) gives
the lease back; a killed worker's leases expire after twice the download
timeout. Taking a lease is one Lua script on Redis' clock, so workers' clocks
do not matter.

**Delay.** Then it takes the host's slot, ``SET aggregator:slot:<host> NX PX
<delay>``, and waits while another worker holds it: requests to one host start
at least ``delay`` apart. The delay is the most cautious of
``AGGREGATOR_CLUSTER_HOST_DELAY`` and the outlet's own (``DOWNLOAD_SLOTS``). A 429
or 503 with Retry-After holds the host's slot for that long, for every worker.

The middleware sits next to the download handler (``spiders.cluster``), so it
sees every request that will be sent, and each answer before a retry or
redirect replaces it. Per worker still: AutoThrottle's estimate and the
robots.txt answer (each worker reads a host's robots.txt once, and obeys it).
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from redis.asyncio import Redis
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response
from scrapy.settings import BaseSettings
from scrapy.utils.httpobj import urlparse_cached

from aggregator.faults import retry_after_seconds
from spiders.headers import header

SLOT_KEY = "aggregator:slot:{host}"
ACTIVE_KEY = "aggregator:active:{host}"
LEASE = "aggregator_lease"  # request meta: the lease this request holds
MIN_WAIT_MS = 5
LEASE_WAIT = 0.02  # seconds between tries while the host has no lease free

# KEYS[1] the host's leases; ARGV: limit, lease, lifetime (ms). 1 when taken, else 0.
TAKE_LEASE = """
local clock = redis.call('TIME')
local now = clock[1] * 1000 + math.floor(clock[2] / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
  return 0
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
"""


class SharedSlotMiddleware:
    def __init__(self, redis: Redis, delay: float, settings: BaseSettings) -> None:
        self.redis = redis
        self.delay = delay
        self.settings = settings
        self.concurrency = settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN")
        self.lease_ms = int(2 * settings.getfloat("DOWNLOAD_TIMEOUT") * 1000) + 10_000
        self._slots: dict[str, dict[str, Any]] | None = None
        self._take = redis.register_script(TAKE_LEASE)

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
        lease = uuid.uuid4().hex
        limit = self._concurrency(host)
        while not await self._take(
            keys=[ACTIVE_KEY.format(host=host)], args=[limit, lease, self.lease_ms]
        ):
            await asyncio.sleep(LEASE_WAIT)
        request.meta[LEASE] = lease
        delay_ms = int(self._delay(host) * 1000)
        if delay_ms <= 0:
            return
        key = SLOT_KEY.format(host=host)
        while not await self.redis.set(key, 1, nx=True, px=delay_ms):
            left = await self.redis.pttl(key)
            await asyncio.sleep(max(int(left), MIN_WAIT_MS) / 1000)

    async def process_response(self, request: Request, response: Response) -> Response:
        await self._give_back(request)
        if response.status in (429, 503):
            wait = retry_after_seconds(header(response, "Retry-After"))
            if wait:
                host = urlparse_cached(request).hostname or ""
                await self.redis.set(SLOT_KEY.format(host=host), 1, px=int(wait * 1000))
        return response

    async def process_exception(self, request: Request, exception: Exception) -> None:
        await self._give_back(request)

    async def _give_back(self, request: Request) -> None:
        lease = request.meta.pop(LEASE, None)
        if lease is not None:
            host = urlparse_cached(request).hostname or ""
            await self.redis.zrem(ACTIVE_KEY.format(host=host), lease)

    def _delay(self, host: str) -> float:
        return max(self.delay, float(self._slot(host).get("delay", 0.0)))

    def _concurrency(self, host: str) -> int:
        return min(self.concurrency, int(self._slot(host).get("concurrency", self.concurrency)))

    def _slot(self, host: str) -> dict[str, Any]:
        if self._slots is None:  # read at the first request: the spider sets the outlets' slots
            self._slots = dict(self.settings.getdict("DOWNLOAD_SLOTS"))
        return dict(self._slots.get(host) or {})
