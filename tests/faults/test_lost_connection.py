"""A database connection lost mid-crawl stops it with exit 3 and one line (issue 11, item 6).

A crawl into PostgreSQL (a throw-away server on 127.0.0.1) of a slow blog on
127.0.0.1: midway its database stops accepting connections and its sessions
are terminated, as when the server goes away. The next run stores every post once.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.crawl.support import crawl, crawl_command, write_config
from tests.helpers import REPO
from tests.sites.generated import Server, WordPressSite
from tests.store.postgres import fresh_database, postgres_server

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.slow]


def _articles(db_url: str) -> list[str]:
    engine = create_engine(db_url)
    try:
        with engine.connect() as connection:
            return list(connection.execute(text("select url from articles")).scalars())
    except Exception:  # the store is still being created
        return []
    finally:
        engine.dispose()


def _cut_off(server: str, database: str) -> None:
    """No new connections to ``database``, and its sessions terminated."""
    admin = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'ALTER DATABASE "{database}" WITH ALLOW_CONNECTIONS false')
        connection.execute(
            text("select pg_terminate_backend(pid) from pg_stat_activity where datname = :name"),
            {"name": database},
        )
    admin.dispose()


def _reconnect(server: str, database: str) -> None:
    admin = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'ALTER DATABASE "{database}" WITH ALLOW_CONNECTIONS true')
    admin.dispose()


def test_a_lost_database_connection_stops_the_crawl_with_exit_3(tmp_path: Path) -> None:
    site = WordPressSite(count=16)
    site.delay = 0.3
    with postgres_server() as server, fresh_database(server) as db_url, Server(site) as http:
        database = db_url.rsplit("/", 1)[1]
        config = write_config(
            tmp_path / "outlets.toml", wp={"url": f"{http.url}/wp/", "platform": "wordpress"}
        )
        command = crawl_command(config, db_url, "--set", "CONCURRENT_REQUESTS=2")
        process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)  # fmt: skip
        while process.poll() is None and len(_articles(db_url)) < 3:
            time.sleep(0.1)
        _cut_off(server, database)
        _, stderr = process.communicate(timeout=240)
        assert process.returncode == 3, stderr
        assert "Traceback" not in stderr
        lines = stderr.strip().splitlines()
        # Said by the crawl, or by the lock's release on the dead connection after it.
        first = ("error: cannot write the store:", "error: the store failed:")
        assert len(lines) == 1 and lines[0].startswith(first), stderr
        _reconnect(server, database)
        site.delay = 0
        again = crawl(config, db_url)
        assert again.returncode == 0, again.stderr
        urls = _articles(db_url)
    assert sorted(urls) == sorted({f"{http.url}/wp{p.path}" for p in site.posts})
