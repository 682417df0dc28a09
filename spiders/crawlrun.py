"""CrawlRun: the one owner of a crawl's store, lock, crawl state, run row and store writer.

Built once per crawl as a Scrapy extension (issue 12, item 2): it takes the
store's lock once, opens the store once in the crawl process (to load the crawl
state and write the run row before the crawl starts and after it ends), and
starts the store writer process (``aggregator.storewriter``) that makes every
write of the crawl in between, off the event loop. The storage pipeline gets it
in its constructor; the spider, which Scrapy creates before its extensions,
takes it when the crawl starts (``CrawlRun.of``).

As a cluster worker (``AGGREGATOR_REDIS_URL`` set, issue 15) it only reads the
store: the crawl state, loaded at start and again for each outlet the worker
plans. Its writes go to the story writer's Redis Stream
(``aggregator.stream.producer``), and at its end its counters, which the story
writer adds to the run's row (``aggregator.stream.runlog``); the story writer
holds the lock.
"""

from __future__ import annotations

import logging
from contextlib import ExitStack
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from sqlalchemy.exc import SQLAlchemyError

from aggregator.collector import settle
from aggregator.config import Outlet
from aggregator.crawlstate import CrawlState
from aggregator.dedup import DedupConfig
from aggregator.runs import finish_run, start_run
from aggregator.store import Store
from aggregator.store.engine import store_failure
from aggregator.store.lock import crawl_lock
from aggregator.storewriter import StoreWriter
from spiders.fatal import fail_crawl, stop_crawl, stopped

if TYPE_CHECKING:
    from aggregator.stream.producer import StreamWriter

logger = logging.getLogger(__name__)

WRITER_CPU = "aggregator/writer/cpu_seconds"  # the writer process's CPU time, for bench/crawl.py


class CrawlRun:
    writer: StoreWriter | StreamWriter
    run_id: int | None

    def __init__(
        self,
        crawler: Any,
        db_url: str,
        outlets: dict[str, Outlet],
        lock_wait: float,
        redis_url: str = "",
    ):
        self.crawler = crawler
        self._hold = ExitStack()
        self._noted: dict[str, float] = {}  # a cluster worker's counters already noted
        if redis_url:
            self._join_cluster(db_url, outlets, redis_url)
            return
        # One crawl writes to a store at a time, however it was started (aggregator crawl,
        # scrapy crawl, Scrapyd); under `aggregator crawl` this nests in the CLI's hold.
        self._hold.enter_context(crawl_lock(db_url, wait=lock_wait))
        try:
            self.store: Store = self._hold.enter_context(Store(db_url))
            self.writer = StoreWriter(
                db_url,
                outlets,
                DedupConfig.from_settings(crawler.settings),
                on_failure=lambda error: stop_crawl(crawler, error),
            )
            self.state = CrawlState.load(self.store, outlets, writes=self.writer)
            self.run_id = start_run(self.store, outlets)
        except BaseException:
            self._hold.close()
            raise

    def _join_cluster(self, db_url: str, outlets: dict[str, Outlet], redis_url: str) -> None:
        # The cluster extra (redis): imported by workers only.
        from redis import Redis

        from aggregator.stream.producer import StreamWriter

        # Created and upgraded by the story writer alone (workers starting together would race).
        self.store = self._hold.enter_context(Store(db_url, upgrade=False, create=False))
        self.writer = StreamWriter(
            Redis.from_url(redis_url),
            max_pending=self.crawler.settings.getint("AGGREGATOR_CLUSTER_MAX_PENDING"),
            on_failure=lambda error: stop_crawl(self.crawler, error),
        )
        self.state = CrawlState.load(self.store, outlets, writes=self.writer)
        self.run_id = None

    def note_counters(self, reason: str) -> None:
        """A cluster worker's counters since it last noted them, for the run's row: when it
        runs out of work (a worker may wait for the next run for ever) and when it stops."""
        from aggregator.stream.producer import StreamWriter
        from aggregator.stream.runlog import counters, worker_note

        if not isinstance(self.writer, StreamWriter):
            return
        now = counters(self.crawler.stats.get_stats())
        note = worker_note(now, reason, since=self._noted)
        if note.stats:
            self.writer.note(note)
            self._noted = now

    def reload(self, outlet: str) -> None:
        """The outlet's crawl state as the store has it now (a worker, before planning it)."""
        fresh = CrawlState.load(self.store, [outlet])
        self.state.urls[outlet] = fresh.urls[outlet]

    @classmethod
    def from_crawler(cls, crawler: Any) -> CrawlRun:
        outlets = getattr(crawler.spider, "outlets", None)
        if outlets is None:
            raise NotConfigured("CrawlRun serves the outlet spider")
        settings = crawler.settings
        run = cls(
            crawler,
            settings.get("AGGREGATOR_DB"),
            outlets,
            settings.getfloat("AGGREGATOR_LOCK_WAIT"),
            settings.get("AGGREGATOR_REDIS_URL") or "",
        )
        crawler.signals.connect(run.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(settle, signal=signals.spider_opened)  # start-up is done
        return run

    @classmethod
    def of(cls, crawler: Any) -> CrawlRun:
        run = crawler.get_extension(cls)
        if run is None:
            raise NotConfigured("the crawl runs without spiders.crawlrun.CrawlRun in EXTENSIONS")
        return run

    async def spider_closed(self, spider: Any, reason: str) -> None:
        """Every write handed over is made, then the run row is finished and the lock let go."""
        try:
            if self.run_id is None:  # a cluster worker: its counters go to the run's row
                self.note_counters(reason)
            cpu = await self.writer.close()
            if cpu is not None:
                self.crawler.stats.set_value(WRITER_CPU, round(cpu, 3))
            if self.run_id is not None:
                finish_run(self.store, self.run_id, self.crawler.stats.get_stats(), reason)
        except SQLAlchemyError as exc:  # the run row stays unfinished, as after a kill
            failure = store_failure(exc)
            if failure is not None:  # a disk that filled up with the last write: exit 3
                fail_crawl(self.crawler, failure)
            elif not stopped(self.crawler):
                logger.error("cannot record the end of the run: %s", exc)
        finally:
            self._hold.close()
