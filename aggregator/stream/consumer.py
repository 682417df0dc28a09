"""StoryWriter: the one member of the stream's consumer group that writes the store.

Reads the workers' changes from the Redis Stream in order, applies them in
batches through ``aggregator.batches`` (the one-machine writer's core: dedup,
story assignment, crawl state, one transaction per batch), and acknowledges
and deletes each entry only after its transaction committed. A writer killed
between the commit and the acknowledgement leaves its entries pending; the
next writer claims them first (``XAUTOCLAIM``) and applies them again, which
stores nothing twice (``save_article`` answers "unchanged" for a URL with the
same text hash; crawl-state inserts skip rows that are there).

Exactly one writer is active at a time: the caller holds the store's crawl
lock (``aggregator.store.lock``) for the writer's life, so a second writer (or
a one-machine crawl of the same store) waits or exits 5.

An entry that does not decode is set aside in ``<stream>:dead`` with the
reason, never applied and never retried. The run's notes (``runlog``) are
applied in their place in the order, after the changes before them.
"""

from __future__ import annotations

import logging
import os
import socket
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from redis import Redis, RedisError, ResponseError

from aggregator import crawlstate as cs
from aggregator.batches import ArticleWrite, BatchWriter, Change, StateChange, Stored
from aggregator.errors import ClusterError, EntryError
from aggregator.stream.codec import STREAM, decode
from aggregator.stream.runlog import RunLog, RunNote

logger = logging.getLogger(__name__)

GROUP = "story-writers"
BATCH = 64  # entries per transaction at most
BLOCK_MS = 500  # how long a read waits for entries before the writer checks whether to stop

Entry = tuple[str, dict[Any, Any]]


def consumer_name() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


class StoryWriter:
    def __init__(
        self,
        redis: Redis,
        writer: BatchWriter,
        stream: str = STREAM,
        group: str = GROUP,
        name: str | None = None,
        batch: int = BATCH,
    ) -> None:
        self.redis = redis
        self.writer = writer
        self.stream = stream
        self.group = group
        self.name = name or consumer_name()
        self.batch = batch
        self.counts: Counter[str] = Counter()
        self.runs = RunLog(writer.store)

    def run(self, stop: Callable[[], bool], block_ms: int = BLOCK_MS) -> Counter[str]:
        """Claim what a dead writer left pending, then apply new entries until ``stop()``."""
        try:
            self.join()
            self.reclaim()
            while not stop():
                self.step(block_ms)
        except RedisError as exc:
            raise ClusterError(f"the Redis stream {self.stream}: {exc}") from None
        return self.counts

    def join(self) -> None:
        """Create the consumer group (and the stream) unless it exists."""
        try:
            self.redis.xgroup_create(self.stream, self.group, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    def reclaim(self) -> int:
        """Apply the entries other writers read and never acknowledged, oldest first.

        Under the crawl lock no other writer is alive, so every pending entry is a
        dead writer's, however recently it was read.
        """
        applied, start = 0, "0-0"
        while True:
            start, entries, _deleted = self.redis.xautoclaim(  # type: ignore[misc]
                self.stream, self.group, self.name, 0, start_id=start, count=self.batch
            )
            applied += self.apply(_entries(entries))
            if _text(start) == "0-0":
                break
        own: Any = self.redis.xreadgroup(self.group, self.name, {self.stream: "0"}, count=None)
        for _stream, entries in own or []:  # our own name's (a restart with the same name)
            applied += self.apply(_entries(entries))
        if applied:
            logger.info("reclaimed %d entries a stopped writer had not acknowledged", applied)
        return applied

    def step(self, block_ms: int = BLOCK_MS) -> int:
        """Read and apply up to one batch of new entries; how many were applied."""
        answer: Any = self.redis.xreadgroup(
            self.group, self.name, {self.stream: ">"}, count=self.batch, block=block_ms
        )
        return sum(self.apply(_entries(entries)) for _stream, entries in answer or [])

    def apply(self, entries: list[Entry]) -> int:
        """Apply ``entries`` in one transaction, then acknowledge and delete them."""
        if not entries:
            return 0
        changes: list[Change] = []
        for entry_id, fields in entries:
            try:
                decoded = decode(entry_id, fields)
            except EntryError as exc:
                logger.error("%s: set aside in %s:dead", exc, self.stream)
                self.redis.xadd(f"{self.stream}:dead", {**fields, "error": str(exc)})
                self.counts["dead"] += 1
                continue
            if isinstance(decoded, RunNote):  # after the changes pushed before it
                self._write(changes)
                changes = []
                self.runs.note(decoded)
                self.counts["run_notes"] += 1
            else:
                changes.append(answers_first(decoded))
        self._write(changes)
        ids = [entry_id for entry_id, _ in entries]
        with self.redis.pipeline() as pipe:  # committed: acknowledged and gone, or neither
            pipe.xack(self.stream, self.group, *ids)
            pipe.xdel(self.stream, *ids)
            pipe.execute()
        return len(entries)

    def _write(self, changes: list[Change]) -> None:
        if not changes:
            return
        results = self.writer.apply(changes)  # StoreError propagates: nothing acknowledged
        self.counts["entries"] += len(changes)
        self._count(changes, results)

    def _count(self, changes: list[Change], results: list[Stored]) -> None:
        articles = [c for c in changes if isinstance(c, ArticleWrite)]
        failed = []
        statuses: Counter[str] = Counter(result.status for result in results)
        self.runs.count(statuses, sum(result.new_stories for result in results))
        for write, result in zip(articles, results, strict=True):
            self.counts[f"articles_{result.status}"] += 1
            self.counts["new_stories"] += result.new_stories
            if result.error is not None:
                logger.error("cannot store %s: %s", write.article.url, result.error)
                failed.append(write)
        if failed:  # the crawl state says so, and the next run fetches them again
            self.writer.apply([_failed(write) for write in failed])


def answers_first(change: Change) -> Change:
    """An answer for a URL this worker did not know (another worker queued it) is written over
    the row that is there: on one machine an insert that meets a row keeps it, but here the
    row is another worker's ``queued`` and the answer is newer."""
    if isinstance(change, StateChange):
        answers = [s for s in change.inserts if s.status != cs.QUEUED]
        return replace(change, updates=[*change.updates, *answers]) if answers else change
    states = [(s, new) for s, new in change.states]
    states += [(s, False) for s, new in change.states if new and s.status != cs.QUEUED]
    return replace(change, states=states)


def _failed(write: ArticleWrite) -> StateChange:
    rows = [replace(s, status=cs.ERROR, detail="store_error") for s, _ in write.states]
    return StateChange(write.outlet, rows, rows)


def _entries(raw: list[Any]) -> list[Entry]:
    return [(_text(entry_id), fields) for entry_id, fields in raw if fields is not None]


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value
