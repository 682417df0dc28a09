"""Fixtures for the cluster tests: one redis-server per module, an empty database per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.cluster.redisserver import redis_server


@pytest.fixture(scope="module")
def redis_server_url() -> Iterator[str]:
    with redis_server() as url:
        yield url


@pytest.fixture
def redis_url(redis_server_url: str) -> Iterator[str]:
    """The module's server, emptied before each test."""
    import redis

    client = redis.Redis.from_url(redis_server_url)
    client.flushall()
    client.close()
    yield redis_server_url
