"""Past one machine, measured: crawl workers, the story writer, Redis and the dedup index.

    python bench/cluster.py [--pages 2000]

Generates the WordPress-like site of ``bench/crawl.py`` (real prose, blog
chrome), serves it from 127.0.0.1, starts a throw-away redis-server and
PostgreSQL server (the test suite's, from Debian's packages) and prints

* pages/s of a cluster crawl with 1 and 2 ``aggregator worker`` processes and
  one ``aggregator writer`` into SQLite, beside a one-machine ``aggregator
  crawl`` of the same site in the same run (the anchor); each is timed from
  its processes' start until every article is stored;
* the story writer's articles/s into SQLite and PostgreSQL: the same stream
  entries, recorded from a crawl with no writer, replayed to a writer that is
  already waiting (its start-up not counted);
* Redis memory per 1,000 queued URLs (``MEMORY USAGE`` of scrapy-redis' request
  queue at its longest, and of the dupefilter) and per waiting stream entry;
* the writer's RSS per indexed article: a writer started on the filled store
  (its index rebuilt from it) against one started on an empty store.

The machine has 2 cores: workers, their extraction pools, the writer, Redis
and the site share them, so two workers measure contention as much as scale.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from redis import Redis  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.exc import DBAPIError  # noqa: E402

from aggregator.demo import DemoSite  # noqa: E402
from aggregator.stream.codec import STREAM  # noqa: E402
from aggregator.stream.outlets import DUPEFILTER_KEY, REQUESTS_KEY  # noqa: E402
from bench.crawl import FAST, generate_site  # noqa: E402

SETTINGS = [
    part
    for name, value in {**FAST, "AGGREGATOR_CLUSTER_HOST_DELAY": 0}.items()
    for part in ("--set", f"{name}={value}")
]
IDLE_EXIT = "2"  # seconds a worker waits for more work before it exits


class Cluster:
    """One site, one Redis server, and the CLI commands that crawl the site into a store."""

    def __init__(self, site_url: str, redis_url: str, work: Path) -> None:
        self.redis_url = redis_url
        self.redis = Redis.from_url(redis_url)
        self.work = work
        self.config = work / "outlets.toml"
        self.config.write_text(f'[outlets.bench]\nurl = "{site_url}/blog/"\n', encoding="utf-8")

    def command(self, *args: str) -> list[str]:
        common = [] if args[0] == "db" else ["--config", str(self.config)]
        return [sys.executable, "-m", "aggregator", *args, *common]

    def start(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            self.command(*args), cwd=REPO, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip

    def run(self, *args: str) -> None:
        result = subprocess.run(self.command(*args), cwd=REPO, text=True, capture_output=True)
        if result.returncode:
            raise SystemExit(f"{args[0]} failed:\n{result.stderr[-3000:]}")

    def writer(self, db_url: str) -> subprocess.Popen[str]:
        """A writer whose index is built: it printed its first line."""
        process = self.start("writer", "--redis", self.redis_url, "--db", db_url)
        line = process.stdout.readline() if process.stdout else ""
        if not line.startswith("story writer"):
            raise SystemExit(f"the writer did not start:\n{line}{_stderr(process)}")
        return process

    def workers(self, count: int, db_url: str, *extra: str) -> list[subprocess.Popen[str]]:
        worker = ["worker", "--redis", self.redis_url, "--db", db_url, "--idle-exit", IDLE_EXIT]
        self.run("enqueue", "--redis", self.redis_url)
        return [self.start(*worker, *SETTINGS, *extra) for _ in range(count)]


def one_machine(cluster: Cluster, db_url: str, pages: int) -> float:
    started = time.perf_counter()
    cluster.run("crawl", "--db", db_url, *SETTINGS)
    elapsed = time.perf_counter() - started
    _expect(stored(db_url), pages, "the one-machine crawl")
    return pages / elapsed


def cluster_crawl(cluster: Cluster, count: int, pages: int) -> tuple[float, dict[str, float]]:
    """Pages/s of ``count`` workers and one writer into a fresh SQLite store, and the
    request queue's Redis memory at its longest."""
    cluster.redis.flushall()
    db_url = f"sqlite:///{cluster.work / f'cluster-{count}.sqlite'}"
    cluster.run("db", "upgrade", "--db", db_url)
    writer = cluster.writer(db_url)
    started = time.perf_counter()
    workers = cluster.workers(count, db_url)
    queue = QueueWatch(cluster.redis)
    while (stored(db_url) or 0) < pages and any(w.poll() is None for w in workers):
        queue.sample()
        time.sleep(0.02)
    elapsed = time.perf_counter() - started
    _expect(stored(db_url), pages, f"the crawl with {count} workers")
    _finish(workers)
    queue.dupefilter()
    _stop(writer)
    return pages / elapsed, queue.figures


class QueueWatch:
    """Redis memory of scrapy-redis' request queue at its longest, and of the dupefilter."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self.figures: dict[str, float] = {"longest": 0, "queue_bytes": 0}

    def sample(self) -> None:
        length = _length(self.redis, REQUESTS_KEY)
        if length > self.figures["longest"]:
            self.figures["longest"] = length
            self.figures["queue_bytes"] = self.redis.memory_usage(REQUESTS_KEY, samples=0) or 0

    def dupefilter(self) -> None:
        self.figures["seen"] = _length(self.redis, DUPEFILTER_KEY)
        self.figures["seen_bytes"] = self.redis.memory_usage(DUPEFILTER_KEY, samples=0) or 0


def record_stream(cluster: Cluster, pages: int) -> tuple[list[dict[bytes, bytes]], float]:
    """The stream entries of a crawl with no writer running, and Redis bytes per entry."""
    cluster.redis.flushall()
    db_url = f"sqlite:///{cluster.work / 'recorded.sqlite'}"
    cluster.run("db", "upgrade", "--db", db_url)
    unbounded = f"AGGREGATOR_CLUSTER_MAX_PENDING={10 * pages + 1000}"  # no writer drains it
    _finish(cluster.workers(2, db_url, "--set", unbounded))
    entries = [fields for _id, fields in cluster.redis.xrange(STREAM)]
    per_entry = (cluster.redis.memory_usage(STREAM, samples=0) or 0) / max(len(entries), 1)
    return entries, per_entry


def writer_rate(
    cluster: Cluster, entries: list[dict[bytes, bytes]], db_url: str, pages: int
) -> float:
    """Articles/s of a waiting writer handed ``entries`` at once; it is stopped afterwards."""
    cluster.redis.flushall()
    cluster.run("db", "upgrade", "--db", db_url)
    writer = cluster.writer(db_url)
    started = time.perf_counter()
    with cluster.redis.pipeline(transaction=False) as pipe:
        for fields in entries:
            pipe.xadd(STREAM, fields)  # type: ignore[arg-type]
        pipe.execute()
    while cluster.redis.xlen(STREAM):
        if writer.poll() is not None:
            raise SystemExit(f"the writer stopped:\n{_stderr(writer)}")
        time.sleep(0.01)
    elapsed = time.perf_counter() - started
    _stop(writer)
    _expect(stored(db_url), pages, f"the writer into {db_url.split(':')[0]}")
    return pages / elapsed


def writer_rss(cluster: Cluster, db_url: str) -> int:
    """RSS in bytes of a writer that has rebuilt its index from ``db_url`` and waits."""
    cluster.redis.flushall()
    writer = cluster.writer(db_url)
    try:
        status = Path(f"/proc/{writer.pid}/status").read_text(encoding="utf-8")
        return next(
            int(line.split()[1]) * 1024 for line in status.splitlines() if line.startswith("VmRSS:")
        )
    finally:
        _stop(writer)


def stored(db_url: str) -> int | None:
    """Articles in the store, or None while it has no schema."""
    engine = create_engine(db_url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(text("select count(*) from articles")).scalar_one())
    except DBAPIError:
        return None
    finally:
        engine.dispose()


def _length(redis: Redis, key: str) -> int:
    kind = redis.type(key)
    sizes: dict[bytes, Any] = {b"zset": redis.zcard, b"list": redis.llen, b"set": redis.scard}
    return int(sizes[kind](key)) if kind in sizes else 0


def _expect(found: int | None, pages: int, what: str) -> None:
    if found != pages:
        raise SystemExit(f"{what} stored {found} articles, not {pages}")


def _finish(workers: list[subprocess.Popen[str]]) -> None:
    for worker in workers:
        _out, err = worker.communicate(timeout=1800)
        if worker.returncode:
            raise SystemExit(f"a worker exited {worker.returncode}:\n{err[-3000:]}")


def _stop(writer: subprocess.Popen[str]) -> None:
    writer.send_signal(signal.SIGTERM)
    _out, err = writer.communicate(timeout=120)
    if writer.returncode:
        raise SystemExit(f"the writer exited {writer.returncode}:\n{err[-3000:]}")


def _stderr(process: subprocess.Popen[str]) -> str:
    process.kill()
    return process.communicate()[1][-3000:]


@contextmanager
def servers() -> Iterator[tuple[str, str]]:
    """The test suite's throw-away redis-server and PostgreSQL server on 127.0.0.1."""
    from tests.cluster.redisserver import redis_server
    from tests.store.postgres import fresh_database, postgres_server

    with ExitStack() as stack:
        try:
            redis_url = stack.enter_context(redis_server())
            postgres = stack.enter_context(postgres_server())
        except BaseException as exc:  # pytest.skip's exception: say why and stop
            raise SystemExit(f"cannot start the servers: {exc}") from None
        yield redis_url, stack.enter_context(fresh_database(postgres))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=2000)
    pages = parser.parse_args().pages
    with (
        tempfile.TemporaryDirectory(prefix="aggregator-bench-") as folder,
        servers() as (
            redis_url,
            pg_url,
        ),
    ):
        work = Path(folder)
        generate_site(work / "site", pages)
        with DemoSite(root=work / "site") as site:
            cluster = Cluster(site.url, redis_url, work)
            alone = one_machine(cluster, f"sqlite:///{work / 'alone.sqlite'}", pages)
            one, queue = cluster_crawl(cluster, 1, pages)
            two, _ = cluster_crawl(cluster, 2, pages)
            entries, per_entry = record_stream(cluster, pages)
        sqlite_url = f"sqlite:///{work / 'writer.sqlite'}"
        into_sqlite = writer_rate(cluster, entries, sqlite_url, pages)
        into_postgres = writer_rate(cluster, entries, pg_url, pages)
        empty_url = f"sqlite:///{work / 'empty.sqlite'}"
        cluster.run("db", "upgrade", "--db", empty_url)
        rss_full, rss_empty = writer_rss(cluster, sqlite_url), writer_rss(cluster, empty_url)
    print(f"bench/cluster.py: {pages} article pages from 127.0.0.1, {os.cpu_count()} cores")
    print(f"{'':52}{'pages/s':>10}{'vs one machine':>16}")
    for name, rate in (
        ("one machine: aggregator crawl (anchor)", alone),
        ("cluster: 1 worker + 1 writer", one),
        ("cluster: 2 workers + 1 writer", two),
    ):
        print(f"{name:52}{rate:>10.1f}{rate / alone:>15.2f}x")
    print(f"2 workers / 1 worker = {two / one:.2f}")
    print(f"story writer alone, {len(entries)} stream entries ({pages} articles):")
    print(f"  into SQLite      {into_sqlite:>8.1f} articles/s")
    print(f"  into PostgreSQL  {into_postgres:>8.1f} articles/s")
    longest, seen = queue["longest"], queue.get("seen", 0)
    print("Redis memory:")
    print(f"  request queue    {queue['queue_bytes'] / max(longest, 1) * 1000 / 1024:>8.1f} KiB "
          f"per 1,000 queued URLs (at its longest, {longest:.0f} requests)")  # fmt: skip
    print(f"  dupefilter       {queue.get('seen_bytes', 0) / max(seen, 1) * 1000 / 1024:>8.1f} KiB "
          f"per 1,000 URLs seen ({seen:.0f})")  # fmt: skip
    print(f"  stream           {per_entry * 1000 / 1024:>8.1f} KiB per 1,000 waiting entries")
    print(f"writer RSS: {rss_empty / 2**20:.0f} MB on an empty store, {rss_full / 2**20:.0f} MB "
          f"with {pages} articles indexed = {(rss_full - rss_empty) / pages / 1024:.1f} KiB "
          "per indexed article")  # fmt: skip


if __name__ == "__main__":
    main()
