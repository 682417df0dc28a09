"""End to end past one machine: two crawl workers and one story writer over redis-server, on
the demo site and a generated WordPress site of 2,000 posts, into SQLite and PostgreSQL, against
a one-machine crawl of the same sites."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from aggregator.demo import DEMO_CONFIG, DEMO_URL_VARIABLE, DemoSite
from aggregator.stream.codec import STREAM
from tests.crawl.support import TEST_SETTINGS, write_config
from tests.helpers import REPO
from tests.sites.generated import Server, WordPressSite

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

POSTS = 2000  # the generated site's articles; the demo adds 11
SETTINGS = [
    part
    for name in (*TEST_SETTINGS, "AGGREGATOR_CRAWL_API_PER_PAGE=100")
    for part in ("--set", name)
]
TIMEOUT = 900  # seconds for one crawl of 2,011 articles on a busy 2-core machine

Stories = tuple[set[frozenset[str]], int, list[str]]


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, str]]]:
    """The demo's three outlets and a generated one, in one config."""
    directory = tmp_path_factory.mktemp("sites")
    with DemoSite() as demo, Server(WordPressSite(POSTS)) as generated:
        config = directory / "outlets.toml"
        demo_outlets = DEMO_CONFIG.read_text(encoding="utf-8")
        write_config(config, gen={"url": f"{generated.url}/wp/", "platform": "wordpress"})
        config.write_text(demo_outlets + "\n" + config.read_text(encoding="utf-8"))
        yield config, {**os.environ, DEMO_URL_VARIABLE: demo.url}


@pytest.fixture(scope="module")
def one_machine(
    sites: tuple[Path, dict[str, str]], tmp_path_factory: pytest.TempPathFactory
) -> Stories:
    """What a one-machine crawl of the same sites stores: the stories to match."""
    config, env = sites
    db_url = f"sqlite:///{tmp_path_factory.mktemp('alone') / 'one.sqlite'}"
    run("crawl", "--config", str(config), "--db", db_url, *SETTINGS, env=env)
    found = stories(db_url)
    assert found[1] == POSTS + 11
    assert len(found[0]) == POSTS + 10  # the demo has one repost; every post is its own story
    return found


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "aggregator", *args]


def start(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        cli(*args), cwd=REPO, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def run(*args: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        cli(*args), cwd=REPO, env=env, text=True, capture_output=True, timeout=TIMEOUT
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def stories(db_url: str) -> Stories:
    """Stories as sets of URLs (ids depend on arrival order), articles, URLs left queued."""
    engine = create_engine(db_url)
    try:
        with engine.connect() as connection:
            pairs = connection.execute(text("select story_id, url from articles")).all()
            queued = connection.execute(
                text("select url from crawl_state where status = 'queued'")
            ).scalars()
            left = list(queued)
    finally:
        engine.dispose()
    grouped: dict[int, set[str]] = {}
    for story, url in pairs:
        grouped.setdefault(story, set()).add(url)
    return {frozenset(urls) for urls in grouped.values()}, len(pairs), left


def cluster_round(
    config: Path, db_url: str, redis_url: str, env: dict[str, str], kill_after: int = 0
) -> None:
    """Queue the outlets, crawl them with two workers and one writer; with ``kill_after``,
    SIGKILL one worker and the writer once that many articles are stored, and restart both."""
    common = ["--config", str(config), "--redis", redis_url]
    worker = ["worker", *common, "--db", db_url, "--idle-exit", "3", *SETTINGS]
    writer = start("writer", *common, "--db", db_url, env=env)
    run("crawl", *common, env=env)
    _wait_for_store(db_url, writer)
    workers = [start(*worker, env=env), start(*worker, env=env)]
    if kill_after:
        _wait_for_articles(db_url, kill_after, writer)
        workers[0].send_signal(signal.SIGKILL)
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        writer = start("writer", *common, "--db", db_url, env=env)
        workers[0] = start(*worker, env=env)
    for process in workers:
        _out, err = process.communicate(timeout=TIMEOUT)
        assert process.returncode == 0, err[-3000:]
    _drained(redis_url, writer)
    writer.send_signal(signal.SIGTERM)  # stops between batches
    _out, err = writer.communicate(timeout=60)
    assert writer.returncode == 0, err[-3000:]


def _drained(redis_url: str, writer: subprocess.Popen[str]) -> None:
    """Wait until the writer committed every entry the workers pushed."""
    client = redis.Redis.from_url(redis_url)
    while client.xlen(STREAM):
        assert writer.poll() is None, writer.communicate()[1][-3000:]
        time.sleep(0.1)


def _stored(db_url: str) -> int | None:
    """Articles in the store, or None while the writer has not created its schema."""
    engine = create_engine(db_url)
    try:
        with engine.connect() as connection:
            return connection.execute(text("select count(*) from articles")).scalar_one()
    except DBAPIError:
        return None
    finally:
        engine.dispose()


def _wait_for_store(db_url: str, writer: subprocess.Popen[str]) -> None:
    while _stored(db_url) is None:
        assert writer.poll() is None, writer.communicate()[1]
        time.sleep(0.1)
    time.sleep(1)  # the schema is created under the lock before the writer reads


def _wait_for_articles(db_url: str, count: int, writer: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if (_stored(db_url) or 0) >= count:
            return
        assert writer.poll() is None, writer.communicate()[1][-3000:]
        time.sleep(0.1)
    pytest.fail(f"fewer than {count} articles stored in {TIMEOUT} s")


def test_two_workers_and_one_writer_store_what_one_machine_does(
    sites: tuple[Path, dict[str, str]], one_machine: Stories, redis_url: str, tmp_path: Path
) -> None:
    config, env = sites
    cluster = f"sqlite:///{tmp_path / 'c.sqlite'}"
    cluster_round(config, cluster, redis_url, env)
    expected, articles, _ = one_machine
    assert stories(cluster) == (expected, articles, [])  # and no URL is left queued
    (run,) = runs(cluster)  # the run's row, kept by the writer, as one machine's
    assert run.articles_new == articles and run.stories_new == len(expected)
    assert run.pages_fetched >= articles and run.finished_at is not None


def runs(db_url: str) -> list[Any]:
    engine = create_engine(db_url)
    try:
        with engine.connect() as connection:
            return list(connection.execute(text("select * from crawl_runs order by id")))
    finally:
        engine.dispose()


def test_a_killed_worker_and_writer_restarted_end_with_the_same_postgres_store(
    sites: tuple[Path, dict[str, str]], one_machine: Stories, redis_url: str, pg_url: str
) -> None:
    config, env = sites
    run("db", "upgrade", "--db", pg_url, env=env)
    cluster_round(config, pg_url, redis_url, env, kill_after=300)
    cluster_round(config, pg_url, redis_url, env)  # the next run resumes what was lost
    expected, articles, _ = one_machine
    assert stories(pg_url) == (expected, articles, [])
