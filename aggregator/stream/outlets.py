"""The outlets a cluster crawl is asked for: a Redis list the workers pop from.

``aggregator crawl --redis URL`` pushes the keys; each key is popped by one
worker, which plans that outlet's starts (resumed URLs, sources, archive
pages) exactly once a run. Pushing starts a new run when the last one is done
(nothing queued, no requests waiting): the shared request dupefilter is
cleared, so "each URL once a run" holds as on one machine.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, MutableSet
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from redis import Redis

OUTLETS_KEY = "aggregator:outlets"  # outlet keys waiting for a worker to plan them
REQUESTS_KEY = "aggregator:requests"  # scrapy-redis' request queue (SCHEDULER_QUEUE_KEY)
DUPEFILTER_KEY = "aggregator:dupefilter"  # scrapy-redis' fingerprints (SCHEDULER_DUPEFILTER_KEY)
AWAITING_KEY = "aggregator:awaiting"  # first pages of sources planned and not answered yet
AWAITING_TTL = 86_400  # seconds: what a killed worker left there stops mattering


class OutletQueue:
    def __init__(self, redis: Redis, key: str = OUTLETS_KEY) -> None:
        self.redis = redis
        self.key = key

    def push(
        self, keys: Iterable[str], announce: Callable[[list[str], bool], Any] | None = None
    ) -> list[str]:
        """Queue ``keys`` not already waiting; the keys queued. A new run when idle (nothing
        waiting or queued), else they join the running one; ``announce(keys, new_run)`` is
        called first, before any worker can see them."""
        waiting = set(self.waiting())
        fresh = [k for k in dict.fromkeys(keys) if k not in waiting]
        new_run = not waiting and not self.redis.exists(REQUESTS_KEY)
        if new_run:
            self.redis.delete(DUPEFILTER_KEY, AWAITING_KEY)
        if fresh:
            if announce is not None:
                announce(fresh, new_run)
            self.redis.rpush(self.key, *fresh)
        return fresh

    def pop(self, count: int) -> list[str]:
        popped: Any = self.redis.lpop(self.key, count)
        return [_text(k) for k in popped or []]

    def waiting(self) -> list[str]:
        waiting: Any = self.redis.lrange(self.key, 0, -1)
        return [_text(k) for k in waiting]


class AwaitedSources(MutableSet[str]):
    """The frontier's unanswered first pages of sources, kept in Redis for every worker.

    The worker that plans an outlet waits for its sources' first pages before it
    plans archive pages (so articles are credited to the sources); another worker
    may fetch them, and its frontier crosses them off here.
    """

    def __init__(self, redis: Redis, key: str = AWAITING_KEY) -> None:
        self.redis = redis
        self.key = key

    def add(self, value: str) -> None:
        with self.redis.pipeline(transaction=False) as pipe:
            pipe.sadd(self.key, value)
            pipe.expire(self.key, AWAITING_TTL)
            pipe.execute()

    def discard(self, value: str) -> None:
        self.redis.srem(self.key, value)

    def __contains__(self, value: object) -> bool:
        return isinstance(value, str) and bool(self.redis.sismember(self.key, value))

    def __iter__(self) -> Iterator[str]:
        members: Any = self.redis.smembers(self.key)
        return iter([_text(m) for m in members])

    def __len__(self) -> int:
        return int(self.redis.scard(self.key))  # type: ignore[arg-type]


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value
