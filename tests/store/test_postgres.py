"""The same models, migrations, CLI and crawl on a real PostgreSQL server (issue 6, item 4)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

from aggregator.demo import DemoSite
from aggregator.store import Store, StoreLockedError, crawl_lock
from aggregator.store.migrate import FIRST_REVISION, head_revision
from tests.faults.namespaces import assert_second_is_refused, pid_namespaces_work

from ..helpers import REPO, RunCli, run_cli
from .postgres import fresh_database
from .schema import EXPECTED_RAW, migrate, raw_objects, schema_differences, write_first_schema_rows
from .support import CFR_PATH, HTW_PATH, DemoStore, crawl_demo

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def pg_rows(url: str, sql: str) -> list[tuple]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(sql))]
    finally:
        engine.dispose()


def test_migrations_build_exactly_the_models(pg_url: str) -> None:
    with Store(pg_url) as store:
        assert store.dialect == "postgresql"
        assert schema_differences(store.engine) == []
        assert raw_objects(store.engine) == EXPECTED_RAW["postgresql"]
    assert pg_rows(pg_url, "select indexname from pg_indexes where indexname = 'ix_articles_fulltext'") == [("ix_articles_fulltext",)]  # fmt: skip


def test_a_first_schema_store_upgrades_in_place(pg_url: str) -> None:
    migrate(pg_url, FIRST_REVISION)
    write_first_schema_rows(pg_url)
    Store(pg_url).close()
    assert pg_rows(pg_url, "select version_num from alembic_version") == [(head_revision(),)]
    assert pg_rows(pg_url, "select story_id, repost_count, canonical_outlet from story_overview") == [(1, 1, "cfr")]  # fmt: skip
    assert pg_rows(pg_url, "select outlet, credit_line from reposts") == [
        ("htw", "Source: Council on Foreign Relations")
    ]
    assert pg_rows(pg_url, "select kind, name from article_tags order by name") == [
        ("category", "Asia"),
        ("tag", "north korea"),
        ("tag", "refugees"),
    ]
    migrate(pg_url, FIRST_REVISION, down=True)
    assert pg_rows(pg_url, "select count(*) from articles") == [(2,)]
    Store(pg_url).close()
    assert pg_rows(pg_url, "select count(*) from story_overview") == [(1,)]


def test_the_crawl_lock_is_an_advisory_lock(pg_url: str) -> None:
    Store(pg_url).close()
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys\nfrom aggregator.store import crawl_lock\n"
         "with crawl_lock(sys.argv[1]):\n    print('locked', flush=True)\n    sys.stdin.readline()\n",
         pg_url],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=REPO,
    )  # fmt: skip
    try:
        assert holder.stdout.readline() == "locked\n"
        with pytest.raises(StoreLockedError, match=f"aggregator-crawl-{holder.pid}"):  # noqa: SIM117
            with crawl_lock(pg_url):
                pytest.fail("the lock was taken twice")
    finally:
        holder.kill()
        holder.wait(timeout=30)
    with crawl_lock(pg_url), crawl_lock(pg_url):  # free once the holder is gone; re-entrant
        pass


@pytest.mark.skipif(not pid_namespaces_work(), reason="needs unshare --pid (root)")
def test_the_advisory_lock_holds_across_pid_namespaces(pg_url: str) -> None:
    """Both crawls are pid 1 and name their sessions alike: neither may think it holds the lock."""
    Store(pg_url).close()
    assert_second_is_refused(pg_url)


@pytest.fixture(scope="module")
def pg_demo_store(postgres: str) -> Iterator[tuple[str, str]]:
    """The demo outlets crawled into PostgreSQL by the real spider, in a subprocess."""
    with fresh_database(postgres) as url, DemoSite() as site:
        result = crawl_demo(url, site)
        assert result.returncode == 0, result.stderr
        assert "articles new 11" in result.stdout
        yield url, site.url


def normalised_export(url: str, site_url: str) -> list[dict]:
    result = run_cli("export", "--db", url)
    assert result.returncode == 0, result.stderr
    records = [json.loads(line.replace(site_url, "SITE")) for line in result.stdout.splitlines()]
    for record in records:  # ids depend on arrival order, which differs between two crawls
        record.pop("story_id")
    return sorted(records, key=lambda r: r["canonical"]["url"])


def test_the_demo_crawl_on_postgres_finds_the_seed_stories(pg_demo_store: tuple[str, str]) -> None:
    url, site_url = pg_demo_store
    ((canonical, role, reason),) = pg_rows(
        url,
        "select c.url, r.role, s.canonical_reason from reposts r "
        "join stories s on s.id = r.story_id join articles c on c.id = s.canonical_article_id",
    )
    assert canonical == site_url + CFR_PATH and role == "excerpt"
    assert reason == "credited as the source by 1 repost"
    assert pg_rows(url, "select url from reposts") == [(site_url + HTW_PATH,)]
    assert pg_rows(url, "select count(*) from articles") == [(11,)]


def test_postgres_and_sqlite_stores_hold_the_same_stories(
    pg_demo_store: tuple[str, str], demo_store: DemoStore
) -> None:
    pg_url, pg_site = pg_demo_store
    assert normalised_export(pg_url, pg_site) == normalised_export(
        demo_store.url, demo_store.site_url
    )


def test_the_cli_on_postgres(pg_demo_store: tuple[str, str], run_cli: RunCli) -> None:
    url, _ = pg_demo_store
    listing = run_cli("stories", "--db", url, "--search", "Kirkpatrick COMPELLING", "--since", "2012-10-16", "--until", "2012-10-16")  # fmt: skip
    assert listing.returncode == 0, listing.stderr
    lines = listing.stdout.splitlines()
    assert len(lines) == 3 and lines[1].endswith(
        "The Underground Railroad from North Korea to Freedom"
    )
    stats = run_cli("stats", "--db", url, "--json")
    assert json.loads(stats.stdout)["stories"] == 10
    assert run_cli("db", "status", "--db", url).stdout == f"schema {head_revision()}, up to date\n"
