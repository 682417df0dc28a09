"""StreamWriter: a crawl worker's writes, pushed to the story writer's Redis Stream.

Stands where the one-machine crawl has its ``StoreWriter``: the crawl state hands
it its changes (``StateWrites``) and the storage pipeline its articles, in the
order the crawl decided them; each becomes one stream entry (``codec``). Nothing
comes back: the story writer stores the article later, so ``store`` answers
``queued``. Back-pressure: ``store`` waits while the stream holds ``max_pending``
entries or more (the writer deletes what it committed), so a slow writer slows
the workers instead of filling Redis' memory.

A Redis that cannot be reached is reported once through ``on_failure`` (the
worker stops the crawl with it: what it had decided but not pushed is fetched
again by the next run) and raised as ``ClusterError`` by ``store``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from redis import Redis, RedisError

from aggregator.batches import ArticleWrite, Change, StateChange, Stored
from aggregator.crawlstate import UrlState
from aggregator.errors import ClusterError
from aggregator.stream.codec import STREAM, encode
from aggregator.stream.runlog import RunNote, encode_note

logger = logging.getLogger(__name__)

QUEUED = "queued"  # an article's status once pushed: the story writer decides the rest
MAX_PENDING = 10_000  # stream entries not yet committed by the writer, before workers wait
WAIT_SECONDS = 0.1


class StreamWriter:
    def __init__(
        self,
        redis: Redis,
        stream: str = STREAM,
        max_pending: int = MAX_PENDING,
        on_failure: Callable[[ClusterError], Any] | None = None,
    ) -> None:
        self.redis = redis
        self.stream = stream
        self.max_pending = max_pending
        self.on_failure = on_failure
        self.failed: ClusterError | None = None
        self.pushed = 0

    # StateWrites, for CrawlState
    def write(self, outlet: str, inserts: list[UrlState], updates: list[UrlState]) -> None:
        try:
            self._push(StateChange(outlet, inserts, updates))
        except ClusterError:
            return  # reported through on_failure; the crawl is stopping

    async def store(self, write: ArticleWrite) -> Stored:
        """Push the article once the stream has room; ``ClusterError`` when Redis fails."""
        while self._length() >= self.max_pending:
            await asyncio.sleep(WAIT_SECONDS)
        self._push(write)
        return Stored(QUEUED)

    def note(self, note: RunNote) -> None:
        """Tell the story writer about the run (a stopping worker's counters), in order."""
        try:
            self._push(encode_note(note))
        except ClusterError:
            return  # reported through on_failure

    async def close(self) -> None:
        self.redis.close()

    def _push(self, entry: Change | dict[str, str]) -> None:
        if self.failed is not None:
            raise self.failed
        fields = entry if isinstance(entry, dict) else encode(entry)
        try:
            self.redis.xadd(self.stream, fields)  # type: ignore[arg-type]
        except RedisError as exc:
            raise self._fail(exc) from None
        self.pushed += 1

    def _length(self) -> int:
        try:
            return int(self.redis.xlen(self.stream))  # type: ignore[arg-type]
        except RedisError as exc:
            raise self._fail(exc) from None

    def _fail(self, exc: RedisError) -> ClusterError:
        if self.failed is None:
            self.failed = ClusterError(f"cannot push to the Redis stream {self.stream}: {exc}")
            logger.error("%s", self.failed)
            if self.on_failure is not None:
                self.on_failure(self.failed)
        return self.failed
