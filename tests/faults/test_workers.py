"""A dead extraction worker or store writer loses nothing; they die with their crawl (issue 11,
item 4; issue 12, item 3).

Crawls of a slow generated blog on 127.0.0.1, with a worker killed (kill -9)
while the crawl runs: it is replaced and every post is stored; when it may not
be replaced, the crawl stops with exit 7 and the next run stores the pages it
left, none recorded as dropped. A crawl killed with kill -9 leaves no process.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.crawl.support import (
    crawl,
    crawl_command,
    stored_paths,
    wait_for_articles,
    write_config,
)
from tests.helpers import REPO, rows
from tests.sites.generated import Server, WordPressSite

from .processes import alive, descendants, workers, writers

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
POSTS = 16
WORKERS = ("--set", "AGGREGATOR_CRAWL_EXTRACT_WORKERS=2", "--set", "CONCURRENT_REQUESTS=2")


def _start(config: Path, db_url: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        crawl_command(config, db_url, *WORKERS, *args),
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def _kill_a_worker(process: subprocess.Popen[str]) -> int:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if found := workers(process.pid):
            victim = min(found)
            os.kill(victim, signal.SIGKILL)
            return victim
        time.sleep(0.05)
    raise AssertionError("the crawl started no extraction worker")


def _gone(pids: set[int]) -> set[int]:
    """``pids`` that are still alive once they had a while to exit (empty when all are gone)."""
    deadline = time.monotonic() + 30
    while alive(pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    return alive(pids)


@pytest.fixture
def blog(tmp_path: Path):
    site = WordPressSite(count=POSTS)
    site.delay = 0.5  # slow article pages: the kill lands in the middle of the crawl
    with Server(site) as server:
        config = write_config(
            tmp_path / "outlets.toml", wp={"url": f"{server.url}/wp/", "platform": "wordpress"}
        )
        yield server, config, f"sqlite:///{tmp_path / 'store.sqlite'}"


def test_a_killed_worker_is_replaced_and_nothing_is_lost(blog) -> None:
    server, config, db_url = blog
    process = _start(config, db_url)
    wait_for_articles(db_url, 3, process)
    _kill_a_worker(process)
    _, stderr = process.communicate(timeout=240)
    assert process.returncode == 0, stderr
    assert "an extraction worker died: starting new workers" in stderr
    assert "Traceback" not in stderr
    assert stored_paths(db_url, server) == {f"/wp{p.path}" for p in server.site.posts}
    assert rows(db_url, "select count(*) from crawl_state where status = 'dropped' "
                "and detail = 'worker_died'") == [(0,)]  # fmt: skip


def test_workers_that_may_not_be_replaced_stop_the_crawl_and_the_next_run_retries(blog) -> None:
    server, config, db_url = blog
    process = _start(config, db_url, "--set", "AGGREGATOR_CRAWL_WORKER_RESTARTS=0")
    wait_for_articles(db_url, 3, process)
    _kill_a_worker(process)
    _, stderr = process.communicate(timeout=240)
    assert process.returncode == 7, stderr
    assert stderr.strip().splitlines()[-1].startswith("error: an extraction worker died")
    assert "Traceback" not in stderr
    before = stored_paths(db_url, server)
    assert len(before) < POSTS
    left = rows(db_url, "select distinct status from crawl_state where detail = 'worker_died'")
    assert set(left) <= {("error",)}, "what the crawl could not extract is retried, not dropped"
    server.site.delay = 0
    result = crawl(config, db_url, "wp")
    assert result.returncode == 0, result.stderr
    assert stored_paths(db_url, server) == {f"/wp{p.path}" for p in server.site.posts}


def test_a_killed_store_writer_stops_the_crawl_and_the_next_run_stores_the_rest(blog) -> None:
    server, config, db_url = blog
    process = _start(config, db_url)
    wait_for_articles(db_url, 3, process)
    (writer,) = writers(process.pid)
    os.kill(writer, signal.SIGKILL)
    _, stderr = process.communicate(timeout=240)
    assert process.returncode == 8, stderr
    assert stderr.strip().splitlines()[-1].startswith("error: the store writer process died")
    assert "Traceback" not in stderr
    before = stored_paths(db_url, server)
    assert 3 <= len(before) < POSTS
    assert rows(db_url, "select count(*) from crawl_state where status = 'stored'") == [
        (len(before),)
    ], "no page is marked stored that is not in the store"
    server.site.delay = 0
    result = crawl(config, db_url, "wp")
    assert result.returncode == 0, result.stderr
    assert stored_paths(db_url, server) == {f"/wp{p.path}" for p in server.site.posts}


def test_kill_9_of_a_crawl_takes_its_workers_with_it(blog) -> None:
    _, config, db_url = blog
    process = _start(config, db_url)
    wait_for_articles(db_url, 2, process)
    left = descendants(process.pid)
    assert workers(process.pid), "the crawl extracts in worker processes"
    assert writers(process.pid), "and stores in a writer process"
    process.kill()  # kill -9 of the crawl alone, not of its process group
    process.communicate(timeout=60)
    assert _gone(left) == set(), "processes of the killed crawl survived it"
