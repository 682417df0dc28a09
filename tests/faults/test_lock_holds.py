"""The crawl lock holds across containers and paths (issue 11, findings 6 and 7).

Two crawls in separate PID namespaces are both pid 1: "I hold it already"
must never be read from the pid in the lock file. One store reached through a
symlink is still one store. ``aggregator demo`` deletes its store, so it takes
the lock first.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from aggregator.errors import StoreError
from aggregator.store import StoreLockedError, crawl_lock
from tests.helpers import REPO

from .namespaces import PID_NAMESPACE, assert_second_is_refused, pid_namespaces_work, taker


@pytest.fixture
def taken(db_url: str) -> Iterator[subprocess.Popen[str]]:
    process = taker(db_url)
    assert process.stdout.readline().startswith("locked")
    yield process
    process.kill()
    process.wait(timeout=30)


@pytest.mark.skipif(not pid_namespaces_work(), reason="needs unshare --pid (root)")
def test_two_crawls_in_separate_pid_namespaces_do_not_both_run(db_url: str) -> None:
    assert_second_is_refused(db_url)


def test_a_holder_with_this_processes_pid_number_is_still_another_process(
    db_url: str, taken: subprocess.Popen[str]
) -> None:
    """What a process in another namespace would write: our own pid number."""
    lock_file = Path(db_url.removeprefix("sqlite:///") + ".lock")
    lock_file.write_text(f"pid {os.getpid()} since 2024-01-01T00:00:00Z\n", encoding="utf-8")
    with pytest.raises(StoreLockedError), crawl_lock(db_url):
        pytest.fail("the lock was taken twice")


def test_one_store_through_a_symlinked_directory_is_one_lock(
    tmp_path: Path, db_url: str, taken: subprocess.Popen[str]
) -> None:
    (tmp_path / "alias").symlink_to(tmp_path)
    with pytest.raises(StoreLockedError), crawl_lock(f"sqlite:///{tmp_path}/alias/store.sqlite"):
        pytest.fail("a second path to the store bypassed the lock")


def test_one_store_through_a_symlinked_file_is_one_lock(
    tmp_path: Path, db_url: str, taken: subprocess.Popen[str]
) -> None:
    store = Path(db_url.removeprefix("sqlite:///"))
    store.touch()
    (tmp_path / "alias.sqlite").symlink_to(store)
    with pytest.raises(StoreLockedError), crawl_lock(f"sqlite:///{tmp_path}/alias.sqlite"):
        pytest.fail("a second path to the store bypassed the lock")
    assert not (tmp_path / "alias.sqlite.lock").exists(), "the lock sits beside the real file"


def test_a_symlink_planted_as_the_lock_file_is_not_followed(tmp_path: Path, db_url: str) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n", encoding="utf-8")
    Path(db_url.removeprefix("sqlite:///") + ".lock").symlink_to(victim)
    with (
        pytest.raises(StoreError, match="is a symbolic link; not following it"),
        crawl_lock(db_url),
    ):
        pytest.fail("the lock followed the link")
    assert victim.read_text(encoding="utf-8") == "precious\n"


def test_the_lock_is_released_when_its_holder_is_killed_in_a_namespace(db_url: str) -> None:
    holder = taker(db_url, PID_NAMESPACE if pid_namespaces_work() else ())
    assert holder.stdout.readline().startswith("locked")
    holder.kill()
    holder.wait(timeout=30)
    with crawl_lock(db_url, wait=10):  # the kernel dropped the dead holder's lock
        pass


def test_a_demo_stops_while_another_crawl_holds_its_store(
    db_url: str, taken: subprocess.Popen[str]
) -> None:
    store = Path(db_url.removeprefix("sqlite:///"))
    store.write_bytes(b"")  # what the first crawl is writing; the demo must not delete it
    result = subprocess.run(
        [sys.executable, "-m", "aggregator", "demo", "--db", db_url],
        capture_output=True, text=True, cwd=REPO, timeout=120,
    )  # fmt: skip
    assert result.returncode == 5, result.stderr
    assert result.stderr.startswith("error: another crawl is writing to")
    assert store.exists()
