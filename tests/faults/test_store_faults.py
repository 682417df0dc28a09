"""A full disk or a read-only store, at open or mid-crawl: exit 3, one line (issue 11, finding 8).

The disk is made full three ways: a size-limited file (RLIMIT_FSIZE, as
``ulimit -f``: no privileges needed), and, as root, a small tmpfs mounted in a
mount namespace of the command's own (``unshare --mount``); a read-only store
is a read-only bind mount of a directory holding one. A disk that fills up in
the middle of a crawl of a blog served on 127.0.0.1 stops the crawl the same
way, with the store consistent: the next run stores every post once.
"""

from __future__ import annotations

import hashlib
import shlex
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError

from aggregator.store import Store
from aggregator.store.engine import store_failure
from tests.crawl.support import TEST_SETTINGS, crawl, crawl_command, write_config
from tests.helpers import REPO, rows
from tests.sites.generated import Server, WordPressSite


def _config(folder: Path) -> Path:
    config = folder / "outlets.toml"
    config.write_text('[outlets.a]\nurl = "http://127.0.0.1:9/"\n', encoding="utf-8")
    return config


def _crawl_args(config: Path, db: Path) -> list[str]:
    settings = [part for name in TEST_SETTINGS for part in ("--set", name)]
    return [sys.executable, "-m", "aggregator", "crawl", "--config", str(config),
            "--db", f"sqlite:///{db}", *settings]  # fmt: skip


def _one_line_store_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: cannot "), result.stderr
    return lines[0]


def _mount_namespaces_work() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        ["unshare", "--mount", "sh", "-c", "mount -t tmpfs -o size=16k tmpfs /mnt"],
        capture_output=True,
        timeout=30,
    )
    return probe.returncode == 0


needs_mounts = pytest.mark.skipif(
    not _mount_namespaces_work(), reason="needs unshare --mount (root)"
)


def _in_mount_namespace(setup: str, args: list[str]) -> subprocess.CompletedProcess[str]:
    """Run ``args`` after ``setup`` (mount commands), in a mount namespace of its own."""
    script = f"{setup} && exec {shlex.join(args)}"
    return subprocess.run(
        ["unshare", "--mount", "sh", "-c", script],
        capture_output=True, text=True, cwd=REPO, timeout=240,
    )  # fmt: skip


# Sets the file size limit, then becomes the command (Python ignores SIGXFSZ: writes past
# the limit fail with EFBIG, as on a full disk).
LIMITED = (
    "import os, resource, sys\n"
    "limit = int(sys.argv[1])\n"
    "resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))\n"
    "os.execv(sys.argv[2], sys.argv[2:])\n"
)


@pytest.mark.slow  # runs `aggregator crawl` in a subprocess
@pytest.mark.parametrize("limit_kb", [8, 48, 160])
def test_a_size_limited_file_at_schema_creation_exits_3(tmp_path: Path, limit_kb: int) -> None:
    args = _crawl_args(_config(tmp_path), tmp_path / "store.sqlite")
    result = subprocess.run(
        [sys.executable, "-c", LIMITED, str(limit_kb * 1024), *args],
        capture_output=True, text=True, cwd=REPO, timeout=240,
    )  # fmt: skip
    assert "disk I/O error" in _one_line_store_error(result) or "full" in result.stderr


@pytest.mark.slow  # runs `aggregator crawl` in a subprocess
@needs_mounts
@pytest.mark.parametrize("size", ["16k", "64k", "200k"])
def test_a_full_disk_at_store_open_exits_3(tmp_path: Path, size: str) -> None:
    disk = tmp_path / "disk"
    disk.mkdir()
    config = _config(tmp_path)
    result = _in_mount_namespace(
        f"mount -t tmpfs -o size={size} tmpfs {shlex.quote(str(disk))}",
        _crawl_args(config, disk / "store.sqlite"),
    )
    line = _one_line_store_error(result)
    assert any(words in line for words in ("full", "No space left", "disk I/O error")), line


@pytest.mark.slow  # runs `aggregator crawl` in a subprocess
@needs_mounts
def test_a_read_only_store_exits_3_and_is_left_as_it_was(tmp_path: Path) -> None:
    writable, read_only = tmp_path / "rw", tmp_path / "ro"
    writable.mkdir()
    read_only.mkdir()
    Store(f"sqlite:///{writable / 'store.sqlite'}").close()
    before = hashlib.sha256((writable / "store.sqlite").read_bytes()).hexdigest()
    mount = (
        f"mount --bind {shlex.quote(str(writable))} {shlex.quote(str(read_only))} && "
        f"mount -o remount,ro,bind {shlex.quote(str(read_only))}"
    )
    config = _config(tmp_path)
    for db in ("store.sqlite", "new.sqlite"):  # a store there, and one to be created
        _one_line_store_error(_in_mount_namespace(mount, _crawl_args(config, read_only / db)))
    stats = [
        sys.executable,
        "-m",
        "aggregator",
        "stats",
        "--db",
        f"sqlite:///{read_only}/store.sqlite",
    ]
    _one_line_store_error(_in_mount_namespace(mount, stats))
    assert hashlib.sha256((writable / "store.sqlite").read_bytes()).hexdigest() == before
    assert sorted(p.name for p in writable.iterdir()) == ["store.sqlite"]


# Enough posts that the store outgrows the 400 KB limit mid-crawl: batched writes keep it
# smaller than one transaction per article did, and 30 posts could fit (a crawl that ends
# well is not this test).
POSTS = 60


def _mid_crawl(tmp_path: Path, run: str) -> None:
    """A crawl of a blog whose store fills its disk partway (``run`` limits it), then one more."""
    disk = tmp_path / "disk"
    disk.mkdir()
    db_url = f"sqlite:///{disk / 'store.sqlite'}"
    with Server(WordPressSite(count=POSTS)) as server:
        config = write_config(
            tmp_path / "outlets.toml", wp={"url": f"{server.url}/wp/", "platform": "wordpress"}
        )
        args = crawl_command(config, db_url)
        if run == "size-limited file":
            limited = [sys.executable, "-c", LIMITED, str(400 * 1024), *args]
            full = subprocess.run(limited, capture_output=True, text=True, cwd=REPO, timeout=240)
        else:
            full = _in_mount_namespace(f"mount -t tmpfs -o size=400k tmpfs {disk}", args)
            disk = tmp_path / "disk"  # the tmpfs is gone with its namespace: a fresh disk
            db_url = f"sqlite:///{disk / 'store.sqlite'}"
        line = _one_line_store_error(full)
        assert line.startswith("error: cannot write the store:"), line
        assert "dropped:" in full.stdout, "the crawl had started: the disk filled mid-crawl"
        with sqlite3.connect(disk / "store.sqlite") as connection:
            assert connection.execute("pragma integrity_check").fetchall() == [("ok",)]
        again = crawl(config, db_url)
        assert again.returncode == 0, again.stderr
        urls = [url for (url,) in rows(db_url, "select url from articles")]
    assert sorted(urls) == sorted({f"{server.url}/wp{p.path}" for p in server.site.posts})


@pytest.mark.slow  # runs `aggregator crawl` in a subprocess
def test_a_disk_filling_up_mid_crawl_stops_it_with_exit_3(tmp_path: Path) -> None:
    _mid_crawl(tmp_path, "size-limited file")


@pytest.mark.slow  # runs `aggregator crawl` in a subprocess
@needs_mounts
def test_a_small_tmpfs_filling_up_mid_crawl_stops_it_with_exit_3(tmp_path: Path) -> None:
    _mid_crawl(tmp_path, "tmpfs")


@pytest.mark.parametrize(
    ("error", "fatal"),
    [
        (OperationalError("INSERT", {}, Exception("database or disk is full")), True),
        (OperationalError("SELECT 1", {}, Exception("server closed the connection")), True),
        (InterfaceError("SELECT 1", {}, Exception("connection already closed")), True),
        (IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed")), False),
    ],
)
def test_errors_that_leave_the_store_unusable_stop_the_crawl(error: Exception, fatal: bool) -> None:
    assert (store_failure(error) is not None) == fatal
