"""End to end past one machine: two crawl workers and one story writer over redis-server, on
the demo site and a generated WordPress site, against a one-machine crawl of the same sites."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from aggregator.demo import DEMO_CONFIG, DEMO_URL_VARIABLE, DemoSite
from aggregator.stream.codec import STREAM
from tests.crawl.support import TEST_SETTINGS, write_config
from tests.helpers import REPO
from tests.sites.generated import Server, WordPressSite

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

POSTS = 60  # the generated site (issue 15 asks 2,000 pages; its prose pool runs out near 100 posts)
SETTINGS = [part for name in TEST_SETTINGS for part in ("--set", name)]


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


def cli(*args: str, env: dict[str, str]) -> list[str]:
    return [sys.executable, "-m", "aggregator", *args]


def start(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        cli(*args, env=env), cwd=REPO, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip


def run(*args: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        cli(*args, env=env), cwd=REPO, env=env, text=True, capture_output=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def stories(db_url: str) -> tuple[set[frozenset[str]], int, list[str]]:
    """Stories as sets of URLs (ids depend on arrival order), articles, URLs left queued."""
    path = db_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection:
        pairs = connection.execute("select story_id, url from articles").fetchall()
        queued = [u for (u,) in connection.execute(
            "select url from crawl_state where status = 'queued'")]  # fmt: skip
    grouped: dict[int, set[str]] = {}
    for story, url in pairs:
        grouped.setdefault(story, set()).add(url)
    return {frozenset(urls) for urls in grouped.values()}, len(pairs), queued


def one_machine(config: Path, db_url: str, env: dict[str, str]) -> None:
    run("crawl", "--config", str(config), "--db", db_url, *SETTINGS, env=env)


def cluster_round(
    config: Path, db_url: str, redis_url: str, env: dict[str, str], kill: bool = False
) -> None:
    common = ["--config", str(config), "--redis", redis_url]
    worker = ["worker", *common, "--db", db_url, "--idle-exit", "3", *SETTINGS]
    writer = start("writer", *common, "--db", db_url, env=env)
    run("crawl", *common, env=env)
    _wait_for_store(db_url, writer)
    workers = [start(*worker, env=env), start(*worker, env=env)]
    if kill:
        _wait_for_articles(db_url, 20)
        workers[0].send_signal(signal.SIGKILL)
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        writer = start("writer", *common, "--db", db_url, env=env)
        workers[0] = start(*worker, env=env)
    for process in workers:
        _out, err = process.communicate(timeout=300)
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


def _wait_for_store(db_url: str, writer: subprocess.Popen[str]) -> None:
    path = Path(db_url.removeprefix("sqlite:///"))
    while not path.exists():
        assert writer.poll() is None, writer.communicate()[1]
        time.sleep(0.1)
    time.sleep(1)  # the schema is created under the lock before the writer reads


def _wait_for_articles(db_url: str, count: int) -> None:
    for _ in range(600):
        if stories(db_url)[1] >= count:
            return
        time.sleep(0.1)
    pytest.fail(f"fewer than {count} articles stored in 60 s")


def test_two_workers_and_one_writer_store_what_one_machine_does(
    sites: tuple[Path, dict[str, str]], redis_url: str, tmp_path: Path
) -> None:
    config, env = sites
    alone, cluster = f"sqlite:///{tmp_path / 'one.sqlite'}", f"sqlite:///{tmp_path / 'c.sqlite'}"
    one_machine(config, alone, env)
    cluster_round(config, cluster, redis_url, env)
    expected, articles, _ = stories(alone)
    assert articles == POSTS + 11
    assert stories(cluster)[:2] == (expected, articles)


def test_no_url_is_left_queued_after_a_cluster_run(
    sites: tuple[Path, dict[str, str]], redis_url: str, tmp_path: Path
) -> None:
    config, env = sites
    cluster = f"sqlite:///{tmp_path / 'c.sqlite'}"
    cluster_round(config, cluster, redis_url, env)
    assert stories(cluster)[2] == []


def test_a_killed_worker_and_writer_restarted_end_with_the_same_store(
    sites: tuple[Path, dict[str, str]], redis_url: str, tmp_path: Path
) -> None:
    config, env = sites
    alone, cluster = f"sqlite:///{tmp_path / 'one.sqlite'}", f"sqlite:///{tmp_path / 'c.sqlite'}"
    one_machine(config, alone, env)
    cluster_round(config, cluster, redis_url, env, kill=True)
    cluster_round(config, cluster, redis_url, env)  # the next run resumes what was lost
    expected, articles, _ = stories(alone)
    assert stories(cluster)[:2] == (expected, articles)
