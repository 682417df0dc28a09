"""Safe under a scheduler: one crawl at a time per store, and a kill never leaves it inconsistent."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest

from aggregator.store import Store, StoreLockedError, crawl_lock

from ..helpers import REPO

HOLDER = (
    "import sys\n"
    "from aggregator.store import crawl_lock\n"
    "with crawl_lock(sys.argv[1]):\n"
    "    print('locked', flush=True)\n"
    "    sys.stdin.readline()\n"
)


@pytest.fixture
def holder(db_url: str) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the store's crawl lock until its stdin gets a line."""
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, db_url],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=REPO,
    )  # fmt: skip
    assert process.stdout.readline() == "locked\n"
    yield process
    if process.poll() is None:
        process.kill()
    process.wait(timeout=30)


def test_a_second_crawl_stops_with_a_clear_message(
    db_url: str, holder: subprocess.Popen[str]
) -> None:
    with pytest.raises(StoreLockedError) as caught, crawl_lock(db_url):
        pytest.fail("the lock was taken twice")
    store = db_url.removeprefix("sqlite:///")
    assert str(caught.value).startswith(
        f"another crawl is writing to {store} (pid {holder.pid} on {socket.gethostname()} since "
    )
    assert str(caught.value).endswith("not waiting for it, so this one stops here")
    assert caught.value.exit_code == 5


def test_a_second_crawl_can_wait_for_the_first(db_url: str, holder: subprocess.Popen[str]) -> None:
    acquired = threading.Event()

    def second_crawl() -> None:
        with crawl_lock(db_url, wait=120):
            acquired.set()

    waiter = threading.Thread(target=second_crawl)
    waiter.start()
    assert not acquired.wait(1), "it waits while the first crawl runs"
    holder.stdin.write("done\n")
    holder.stdin.flush()
    waiter.join(timeout=120)
    assert acquired.is_set()


def test_a_killed_crawl_leaves_no_stale_lock(db_url: str, holder: subprocess.Popen[str]) -> None:
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=30)
    with crawl_lock(db_url):
        pass


def test_the_lock_is_reentrant_in_one_process(db_url: str) -> None:
    """The CLI may hold it around a crawl whose storage pipeline takes it again."""
    with crawl_lock(db_url), crawl_lock(db_url):
        pass
    with crawl_lock(db_url):  # and released after the outer one
        pass


def test_an_in_memory_store_needs_no_lock() -> None:
    with crawl_lock("sqlite://"), crawl_lock("sqlite:///:memory:"):
        pass


def integrity_problems(path: str) -> list[str]:
    """Everything a kill could have broken: pages, keys, the FTS index, story bookkeeping."""
    with sqlite3.connect(path) as connection:
        problems = [r[0] for r in connection.execute("pragma integrity_check") if r[0] != "ok"]
        problems += [f"foreign key {r}" for r in connection.execute("pragma foreign_key_check")]
        connection.execute(
            "insert into articles_fts(articles_fts, rank) values ('integrity-check', 1)"
        )
        problems += [
            f"story {story_id}: {count} articles recorded, {actual} stored"
            for story_id, count, actual in connection.execute(
                "select s.id, s.article_count, count(a.id) from stories s "
                "left join articles a on a.story_id = s.id group by s.id "
                "having s.article_count != count(a.id)"
            )
        ]
        problems += [
            f"story {story_id}: its canonical article is not one of its articles"
            for (story_id,) in connection.execute(
                "select s.id from stories s join articles a on a.id = s.canonical_article_id "
                "where a.story_id is not s.id"
            )
        ]
        problems += [
            f"article {article_id} has no story"
            for (article_id,) in connection.execute(
                "select id from articles where story_id is null"
            )
        ]
    return problems


@pytest.mark.slow
def test_a_crawl_killed_mid_write_leaves_the_store_consistent(db_url: str) -> None:
    Store(db_url).close()
    path = db_url.removeprefix("sqlite:///")
    writer = subprocess.Popen([sys.executable, "-m", "tests.store.writer", db_url], cwd=REPO)
    try:
        deadline = time.monotonic() + 120
        stored = 0
        while stored < 40 and time.monotonic() < deadline and writer.poll() is None:
            time.sleep(0.2)
            with sqlite3.connect(path) as connection:
                stored = connection.execute("select count(*) from articles").fetchone()[0]
        assert writer.poll() is None, "the writer runs until killed"
        os.kill(writer.pid, signal.SIGKILL)
    finally:
        writer.kill()
        writer.wait(timeout=30)
    assert stored >= 40
    assert integrity_problems(path) == []
    with sqlite3.connect(path) as connection:
        stories_with_reposts = connection.execute(
            "select count(*) from story_overview where repost_count > 0"
        ).fetchone()[0]
    assert stories_with_reposts > 0, "the writer re-formed stories, as a crawl does"
    Store(db_url).close()  # and it opens again


@pytest.mark.slow
def test_aggregator_crawl_exits_5_while_another_crawl_holds_the_store(
    db_url: str, holder: subprocess.Popen[str], tmp_path
) -> None:
    config = tmp_path / "outlets.toml"
    config.write_text('[outlets.a]\nurl = "http://127.0.0.1:9/"\n', encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "aggregator", "crawl", "--config", str(config), "--db", db_url],
        capture_output=True, text=True, cwd=REPO, timeout=120,
    )  # fmt: skip
    assert result.returncode == 5, result.stderr
    assert result.stderr.startswith("error: another crawl is writing to")
    assert "Traceback" not in result.stderr
