"""``aggregator worker`` and ``aggregator writer``: a crawl past one machine (issue 15).

Any number of workers crawl the outlets ``aggregator crawl --redis URL`` queues,
sharing scrapy-redis' request queue and dupefilter; they push what they decide
and extract to a Redis Stream, and one story writer applies it to the store.
See docs/cluster.md.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import signal
import sys
import time
from typing import Any

import click

from aggregator.cli.base import config_option, db_option, lock_wait_option, main
from aggregator.cli.crawl import parse_overrides, prepare_crawl, print_crawl_summary
from aggregator.config import load_config
from aggregator.dedup import DedupConfig
from aggregator.defaults import from_environment
from aggregator.errors import ClusterError
from aggregator.runs import fatal_error
from aggregator.store import Store
from aggregator.store.lock import crawl_lock

logger = logging.getLogger(__name__)

redis_option = click.option(
    "--redis",
    "redis_url",
    envvar="AGGREGATOR_REDIS_URL",
    required=True,
    help="The cluster's Redis server, e.g. redis://10.0.0.5:6379/0 (env AGGREGATOR_REDIS_URL).",
)
idle_option = click.option(
    "--idle-exit",
    type=click.FloatRange(min=0),
    default=0,
    show_default=True,
    help="Exit after this many seconds with nothing to do (0: wait for work for ever).",
)


@main.command()
@config_option
@db_option
@redis_option
@idle_option
@click.option("--set", "overrides", multiple=True, metavar="NAME=VALUE", help="As for crawl.")
def worker(
    config_path: str, db_url: str, redis_url: str, idle_exit: float, overrides: tuple[str, ...]
) -> None:
    """Crawl the outlets queued in Redis, with the other workers.

    Reads the store (--db, PostgreSQL for workers on several machines) for the
    crawl state only; every write goes to the story writer through Redis.

    \b
    Example:
      aggregator worker --redis redis://10.0.0.5/0 --db postgresql+psycopg://agg@10.0.0.6/agg
    """
    from spiders.runner import checked_overrides, run_crawl  # Scrapy only for crawls

    keys = list(load_config(config_path).outlets)  # any configured outlet may be queued
    settings = checked_overrides(parse_overrides(overrides)) | {
        "AGGREGATOR_REDIS_URL": redis_url,
        "AGGREGATOR_WORKER_IDLE_EXIT": idle_exit,
    }
    settings_, crawl_config = prepare_crawl(config_path, db_url, False, settings)
    # Fail here, with a clear message; the story writer creates the store, never a worker.
    Store(db_url, upgrade=False, create=False).close()
    stats = run_crawl(keys, settings_, crawl_config, worker=True)
    click.echo(f"articles pushed to the story writer {stats.get('aggregator/articles/queued', 0)}")
    print_crawl_summary(stats, sys.stdout)
    error = fatal_error(stats)
    if error is not None:
        raise error


@main.command()
@config_option
@db_option
@redis_option
@lock_wait_option
@idle_option
@click.option(
    "--window-days",
    type=int,
    default=None,
    help="Compare articles only with those fetched in the N days before the newest, and "
    "hold only those in memory (0: every stored article; env AGGREGATOR_DEDUP_WINDOW_DAYS, "
    "default 0).",
)
def writer(
    config_path: str,
    db_url: str,
    redis_url: str,
    lock_wait: float,
    idle_exit: float,
    window_days: int | None,
) -> None:
    """Store what the workers extract: dedup, stories and crawl state, one batch at a time.

    One writer per store: it holds the store's crawl lock while it runs (a
    second waits --wait seconds, then exits 5). At start it rebuilds the dedup
    index from the store (with --window-days, from the window's articles only)
    and applies what a stopped writer left unacknowledged.

    \b
    Example:
      aggregator writer --redis redis://10.0.0.5/0 --db postgresql+psycopg://agg@10.0.0.6/agg
      aggregator writer --window-days 30 --redis redis://10.0.0.5/0 --db ...
    """
    from redis import Redis

    from aggregator.batches import BatchWriter
    from aggregator.stream.consumer import StoryWriter

    outlets = {o.key: o for o in load_config(config_path).outlets.values()}
    config = DedupConfig.from_settings(from_environment(os.environ))
    if window_days is not None:
        config = dataclasses.replace(config, window_days=window_days)
    stop = _Stop()
    with crawl_lock(db_url, wait=lock_wait), Store(db_url) as store:
        story_writer = StoryWriter(Redis.from_url(redis_url), BatchWriter(store, outlets, config))
        click.echo(f"story writer {story_writer.name}: {store.safe_url} from {redis_url}")
        counts = story_writer.run(lambda: stop.asked or stop.idle(story_writer, idle_exit))
    click.echo(", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "nothing written")


@main.command()
@config_option
@redis_option
@click.argument("outlets", nargs=-1)
def enqueue(config_path: str, redis_url: str, outlets: tuple[str, ...]) -> None:
    """Queue OUTLETS (every enabled one when none are given) for the workers: one run.

    The same as `aggregator crawl --redis URL OUTLETS`.

    \b
    Example:
      aggregator enqueue --redis redis://10.0.0.5/0 cfr nknews
    """
    enqueue_outlets(config_path, redis_url, outlets)


def enqueue_outlets(config_path: str, redis_url: str, outlets: tuple[str, ...]) -> None:
    from redis import Redis, RedisError

    from aggregator.stream.codec import STREAM
    from aggregator.stream.outlets import OutletQueue
    from aggregator.stream.runlog import encode_note, queued_note

    keys = [o.key for o in load_config(config_path).select(outlets)]
    try:
        redis = Redis.from_url(redis_url)

        def announce(fresh: list[str], new_run: bool) -> None:
            """The story writer starts the run's crawl_runs row (or adds to it)."""
            redis.xadd(STREAM, encode_note(queued_note(fresh, new_run)))  # type: ignore[arg-type]

        queued = OutletQueue(redis).push(keys, announce)
    except RedisError as exc:
        raise ClusterError(f"cannot queue outlets at {redis_url}: {exc}") from None
    skipped = sorted(set(keys) - set(queued))
    click.echo(f"queued {len(queued)} outlets for the workers" + (
        f" ({len(skipped)} were already waiting)" if skipped else ""))  # fmt: skip


class _Stop:
    """SIGTERM and Ctrl-C stop the writer between batches; --idle-exit after a quiet spell."""

    def __init__(self) -> None:
        self.asked = False
        self._last: tuple[Any, float] | None = None
        for number in (signal.SIGTERM, signal.SIGINT):
            signal.signal(number, self._ask)

    def _ask(self, *_: object) -> None:
        self.asked = True

    def idle(self, story_writer: Any, seconds: float) -> bool:
        if not seconds:
            return False
        done = sum(story_writer.counts.values())
        now = time.monotonic()
        if self._last is None or self._last[0] != done:
            self._last = (done, now)
        return now - self._last[1] >= seconds
