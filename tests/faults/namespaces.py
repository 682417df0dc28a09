"""Processes in PID namespaces of their own (as containers run them): ``unshare`` as root.

In each namespace the first process is pid 1, so two crawls in two containers
have the same pid number: what the crawl lock must never be fooled by.
"""

from __future__ import annotations

import shutil
import subprocess
import sys

from tests.helpers import REPO

# The child dies with unshare, as a container's processes die with it.
PID_NAMESPACE = ("unshare", "--pid", "--fork", "--kill-child")

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


def taker(db_url: str, prefix: tuple[str, ...] = ()) -> subprocess.Popen[str]:
    """A process taking the crawl lock of ``db_url`` (in a PID namespace with PID_NAMESPACE)."""
    return subprocess.Popen(
        [*prefix, sys.executable, "-c", TAKER, db_url],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=REPO,
    )  # fmt: skip


def pid_namespaces_work() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run([*PID_NAMESPACE, "true"], capture_output=True, timeout=30)
    return probe.returncode == 0


def assert_second_is_refused(db_url: str) -> None:
    """Two crawls, each pid 1 in a namespace of its own: the second stops with exit 5."""
    first = taker(db_url, PID_NAMESPACE)
    try:
        assert first.stdout.readline() == "locked 1\n", "pid 1 in its own namespace"
        second = taker(db_url, PID_NAMESPACE)
        out, _ = second.communicate(timeout=60)
        assert second.returncode == 5, out
        assert out.startswith("busy another crawl is writing to"), out
        assert "(pid 1 on " in out or "aggregator-crawl-1@" in out, out
    finally:
        first.kill()
        first.wait(timeout=30)
