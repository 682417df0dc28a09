"""The crawl lock holds across containers and paths (issue 11, findings 6 and 7).

Two crawls in separate PID namespaces are both pid 1: "I hold it already"
must never be read from the pid in the lock file. One store reached through a
symlink is still one store. ``aggregator demo`` deletes its store, so it takes
the lock first.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from aggregator.errors import StoreError
from aggregator.store import StoreLockedError, crawl_lock
from tests.conftest import REPO

# Holds the lock until stdin closes; or says "busy" and exits 5 when another process holds it.
TAKER = (
    "import os, sys\n"
    "from aggregator.store import StoreLockedError, crawl_lock\n"
    "try:\n"
    "    with crawl_lock(sys.argv[1]):\n"
    "        print('locked', os.getpid(), flush=True)\n"
    "        sys.stdin.readline()\n"
    "except StoreLockedError as exc:\n"
    "    print('busy', exc, flush=True)\n"
    "    sys.exit(5)\n"
)


def _taker(db_url: str, prefix: tuple[str, ...] = ()) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*prefix, sys.executable, "-c", TAKER, db_url],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=REPO,
    )  # fmt: skip


@pytest.fixture
def taken(db_url: str) -> Iterator[subprocess.Popen[str]]:
    process = _taker(db_url)
    assert process.stdout.readline().startswith("locked")
    yield process
    process.kill()
    process.wait(timeout=30)


def _pid_namespaces_work() -> bool:
    unshare = shutil.which("unshare")
    if unshare is None:
        return False
    probe = subprocess.run([unshare, "--pid", "--fork", "true"], capture_output=True, timeout=30)
    return probe.returncode == 0


@pytest.mark.skipif(not _pid_namespaces_work(), reason="needs unshare --pid (root)")
def test_two_crawls_in_separate_pid_namespaces_do_not_both_run(db_url: str) -> None:
    namespace = ("unshare", "--pid", "--fork", "--kill-child")
    first = _taker(db_url, namespace)
    try:
        assert first.stdout.readline() == "locked 1\n", "pid 1 in its own namespace"
        second = _taker(db_url, namespace)
        out, _ = second.communicate(timeout=60)
        assert second.returncode == 5, out
        assert out.startswith("busy another crawl is writing to") and "(pid 1 on " in out
    finally:
        first.kill()
        first.wait(timeout=30)


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
    prefix = ("unshare", "--pid", "--fork", "--kill-child") if _pid_namespaces_work() else ()
    holder = _taker(db_url, prefix)
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
