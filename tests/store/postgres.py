"""A real PostgreSQL server for the tests marked ``postgres``, started in a temporary directory.

``initdb`` and ``pg_ctl`` come from PATH or Debian's /usr/lib/postgresql/*/bin
(CI installs the ``postgresql`` package). PostgreSQL refuses to run as root, so
under root the server runs as the ``postgres`` system user. When no server can
be started the tests skip with the reason, unless AGGREGATOR_REQUIRE_POSTGRES=1
(set by .ci/run), where they fail instead.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine

REQUIRE = "AGGREGATOR_REQUIRE_POSTGRES"


def unavailable(reason: str) -> None:
    """Skip (or fail, where PostgreSQL is required) with ``reason``."""
    if os.environ.get(REQUIRE) == "1":
        pytest.fail(f"PostgreSQL required ({REQUIRE}=1) but {reason}")
    pytest.skip(f"no PostgreSQL server for these tests: {reason}")


def find_binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(Path(p).parts[4])
    )
    return candidates[-1] if candidates else None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def postgres_server() -> Iterator[str]:
    """Start a throw-away server on 127.0.0.1; yield its URL without a database name."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        unavailable("psycopg is not installed (pip install 'aggregator[postgres]')")
    initdb, pg_ctl = find_binary("initdb"), find_binary("pg_ctl")
    if not (initdb and pg_ctl):
        unavailable("initdb/pg_ctl not found (apt-get install postgresql)")
    user = _server_user()
    directory = Path(tempfile.mkdtemp(prefix="aggregator-pg-"))
    data, port = directory / "data", free_port()
    os.chown(directory, user.pw_uid, user.pw_gid)
    as_user = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}
    try:
        _run([initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
              "--no-sync", "--no-instructions"], as_user)  # fmt: skip
        options = f"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        _run([pg_ctl, "-D", str(data), "-o", options, "-l", str(directory / "log"), "-w",
              "-t", "60", "start"], as_user)  # fmt: skip
    except (subprocess.CalledProcessError, OSError) as exc:
        shutil.rmtree(directory, ignore_errors=True)
        unavailable(f"the server did not start: {getattr(exc, 'stderr', '') or exc}")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}"
    finally:
        subprocess.run([pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"],
                       capture_output=True, check=False, **as_user)  # fmt: skip
        shutil.rmtree(directory, ignore_errors=True)


def _server_user() -> pwd.struct_passwd:
    if os.geteuid() != 0:
        return pwd.getpwuid(os.geteuid())
    try:
        return pwd.getpwnam("postgres")
    except KeyError:
        unavailable("running as root and there is no 'postgres' user to run the server as")
        raise


def _run(command: list[str], as_user: dict) -> None:
    subprocess.run(command, capture_output=True, text=True, check=True, timeout=120, **as_user)


@contextmanager
def fresh_database(server: str) -> Iterator[str]:
    name = f"aggregator_{uuid.uuid4().hex[:12]}"
    admin = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        yield f"{server}/{name}"
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.dispose()
