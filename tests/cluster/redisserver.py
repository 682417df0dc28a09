"""A real redis-server for the cluster tests, started on 127.0.0.1 in a temporary directory.

``redis-server`` comes from PATH (CI installs Debian's ``redis-server``). When
none can be started the tests skip with the reason, unless
AGGREGATOR_REQUIRE_REDIS=1 (set by .ci/run), where they fail instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.store.postgres import free_port

REQUIRE = "AGGREGATOR_REQUIRE_REDIS"


def unavailable(reason: str) -> None:
    """Skip (or fail, where Redis is required) with ``reason``."""
    if os.environ.get(REQUIRE) == "1":
        pytest.fail(f"Redis required ({REQUIRE}=1) but {reason}")
    pytest.skip(f"no Redis server for these tests: {reason}")


@contextmanager
def redis_server() -> Iterator[str]:
    """Start a throw-away server on 127.0.0.1 (no persistence); yield its URL."""
    binary = shutil.which("redis-server")
    if binary is None:
        unavailable("redis-server not found (apt-get install redis-server)")
    try:
        import redis
    except ImportError:
        unavailable("the redis client is not installed (pip install 'aggregator[cluster]')")
    directory, port = Path(tempfile.mkdtemp(prefix="aggregator-redis-")), free_port()
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
               "--appendonly", "no", "--dir", str(directory), "--logfile", "redis.log"]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        _wait_ready(redis.Redis.from_url(url), process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        shutil.rmtree(directory, ignore_errors=True)


def _wait_ready(client: object, process: subprocess.Popen[bytes]) -> None:
    import redis

    for _ in range(200):
        if process.poll() is not None:
            unavailable(f"redis-server exited with {process.returncode}")
        try:
            client.ping()  # type: ignore[attr-defined]
            return
        except redis.ConnectionError:
            time.sleep(0.05)
    unavailable("redis-server did not answer within 10 s")
