"""A run killed midway (SIGKILL, or Ctrl-C) loses nothing it stored; the next run continues it."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.helpers import REPO, rows
from tests.sites.generated import Server, WordPressSite

from .support import (
    crawl,
    crawl_command,
    last_run,
    stored_paths,
    wait_for_articles,
    write_config,
)

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
POSTS = 24


def start_crawl(config: Path, db_url: str) -> subprocess.Popen[str]:
    """A crawl in its own process group (its extraction workers die with it)."""
    # Two requests in flight: a graceful stop finishes those, the rest stay queued.
    command = crawl_command(config, db_url, "--set", "CONCURRENT_REQUESTS=2")
    return subprocess.Popen(
        command,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


@pytest.mark.parametrize("stop", [signal.SIGKILL, signal.SIGINT], ids=["sigkill", "ctrl-c"])
def test_a_stopped_run_resumes_without_duplicates(tmp_path: Path, stop: signal.Signals) -> None:
    site = WordPressSite(count=POSTS)
    site.delay = 0.4  # slow article pages, so the run is stopped midway
    with Server(site) as server:
        config = write_config(
            tmp_path / "outlets.toml", wp={"url": f"{server.url}/wp/", "platform": "wordpress"}
        )
        db_url = f"sqlite:///{tmp_path / 'store.sqlite'}"
        process = start_crawl(config, db_url)
        wait_for_articles(db_url, 5, process)
        os.killpg(process.pid, stop)
        _, stderr = process.communicate(timeout=120)
        before = stored_paths(db_url, server)
        assert 5 <= len(before) < POSTS
        if stop == signal.SIGKILL:
            assert process.returncode == -signal.SIGKILL
            assert last_run(db_url)["finished_at"] is None, "a killed run cannot write its end"
        else:
            assert process.returncode == 130, stderr
            assert last_run(db_url)["finish_reason"] == "shutdown"
        assert rows(db_url, "select count(*) from crawl_state where status = 'queued'")[0][0] > 0
        time.sleep(2 * site.delay)  # let the server finish answering the stopped run
        site.clear()
        site.delay = 0
        result = crawl(config, db_url, "wp")
        assert result.returncode == 0, result.stderr
        after = stored_paths(db_url, server)
    assert after == {f"/wp{p.path}" for p in site.posts}, "every post stored once"
    fetched = Counter(p for p in site.requested("/wp/20"))
    assert not set(fetched) & before, "what the stopped run stored is not fetched again"
    assert set(fetched.values()) == {1}, fetched
    left = rows(db_url, "select url, kind, found_via from crawl_state where status = 'queued'")
    assert left == [], "nothing is left queued"
