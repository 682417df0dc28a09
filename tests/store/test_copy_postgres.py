"""``aggregator db copy`` of a crawled SQLite store into a real PostgreSQL (issue 15, item 6).

The copy must be the same store: every row, the same exports, crawls and
story writers carrying on from it (sequences after the copied ids, the dedup
index rebuilt from the copied fingerprints), and memory that does not grow
with the store.
"""

from __future__ import annotations

import subprocess
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text

from aggregator.demo import DEMO_CONFIG, DEMO_OUTLETS, DEMO_URL_VARIABLE
from aggregator.errors import StoreError
from aggregator.store import (
    ArticleRow,
    CrawlRunRow,
    CrawlStateRow,
    OutletRow,
    Store,
    StoryRow,
)
from aggregator.store.copy import BATCH_ROWS, copy_store
from aggregator.store.models import ArticleRevisionRow
from tests.faults.namespaces import taker

from ..helpers import RunCli, rows
from .copying import duplicate, every_row
from .factory import fill_store
from .postgres import fresh_database
from .schema import EXPECTED_RAW, raw_objects, schema_differences
from .support import DemoStore

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


@pytest.fixture(scope="module")
def source(demo_store: DemoStore, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The crawled demo store, with an earlier text of one article so every table has rows."""
    path = tmp_path_factory.mktemp("copy") / "source.sqlite"
    url = duplicate(demo_store.path, path)
    with Store(url) as store, store.session() as session, session.begin():
        article = session.scalars(select(ArticleRow).order_by(ArticleRow.id)).first()
        assert article is not None
        session.add(
            ArticleRevisionRow(
                article_id=article.id, revision=1, title=article.title, text="An earlier text.",
                text_hash="0" * 32, word_count=3, published=article.published,
                updated=None, fetched_at=article.first_seen, replaced_at=article.fetched_at,
            )
        )  # fmt: skip
    assert all(every_row(url).values()), "the source must hold rows in every table"
    return path


@pytest.fixture(scope="module")
def pg_copy(
    source: Path, postgres: str, run_cli: RunCli
) -> Iterator[tuple[str, subprocess.CompletedProcess[str]]]:
    """The source copied into a fresh database by the command line; tests must not change it."""
    with fresh_database(postgres) as url:
        yield url, run_cli("db", "copy", "--from", str(source), "--to", url)


def test_every_table_is_copied_row_for_row(
    pg_copy: tuple[str, subprocess.CompletedProcess[str]], source: Path
) -> None:
    url, result = pg_copy
    assert result.returncode == 0, result.stderr
    original = every_row(f"sqlite:///{source}")
    assert every_row(url) == original
    lines = result.stdout.splitlines()
    assert [line.split()[:2] for line in lines[:-1]] == [
        [table, f"{len(table_rows):,}"] for table, table_rows in original.items()
    ]
    total = sum(len(table_rows) for table_rows in original.values())
    assert lines[-1].startswith(
        f"copied {total:,} rows ({len(original['articles'])} articles) "
        f"from sqlite:///{source} to {url} in "
    )
    assert lines[-1].endswith(" rows/s)")


def test_the_copy_has_the_schema_of_a_store_made_on_postgres(
    pg_copy: tuple[str, subprocess.CompletedProcess[str]],
) -> None:
    """The foreign keys dropped for the copy are back, as the migrations made them."""
    engine = create_engine(pg_copy[0])
    try:
        assert schema_differences(engine) == []
        assert raw_objects(engine) == EXPECTED_RAW["postgresql"]
        with engine.connect() as connection:
            keys = connection.scalar(
                text("select count(*) from pg_constraint where contype = 'f' and convalidated")
            )
        assert keys == 7
    finally:
        engine.dispose()


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_the_copy_exports_what_the_source_exports(
    pg_copy: tuple[str, subprocess.CompletedProcess[str]],
    source: Path,
    run_cli: RunCli,
    fmt: str,
) -> None:
    exported = [
        run_cli("export", "--format", fmt, "--db", url)
        for url in (f"sqlite:///{source}", pg_copy[0])
    ]
    assert [r.returncode for r in exported] == [0, 0], [r.stderr for r in exported]
    assert exported[0].stdout.count("\n") >= 10
    assert exported[1].stdout == exported[0].stdout


def test_a_destination_holding_rows_is_refused(
    pg_copy: tuple[str, subprocess.CompletedProcess[str]], source: Path, run_cli: RunCli
) -> None:
    url, _ = pg_copy
    before = every_row(url)
    again = run_cli("db", "copy", "--from", str(source), "--to", url)
    assert again.returncode == 3
    assert again.stderr.startswith(f"error: {url} is not empty (it holds 1 crawl_runs, ")
    assert again.stderr.endswith(
        "db copy writes only into an empty database, so nothing was copied; copy into a new one\n"
    )
    assert every_row(url) == before


def test_later_inserts_take_the_ids_after_the_copied_ones(pg_url: str, source: Path) -> None:
    copy_store(f"sqlite:///{source}", pg_url)
    last = {name: max(row[0] for row in table_rows) for name, table_rows in every_row(pg_url).items() if name in {"outlets", "articles", "stories", "crawl_runs", "crawl_state"}}  # fmt: skip
    with Store(pg_url) as store, store.session() as session, session.begin():
        article = session.get_one(ArticleRow, 1)
        outlet = OutletRow(key="new", name="New", url="http://new.test/", platform="generic")
        new_article = ArticleRow(
            url="http://new.test/1/", outlet=outlet, text="New text.", text_hash="1" * 32,
            word_count=2, first_seen=article.first_seen, fetched_at=article.fetched_at,
        )  # fmt: skip
        story = StoryRow(canonical=new_article, canonical_reason="only article", article_count=1,
                         updated_at=article.fetched_at)  # fmt: skip
        run = CrawlRunRow(started_at=article.fetched_at)
        state = CrawlStateRow(outlet="new", url="http://new.test/1/", kind="article",
                              found_via="feed", status="stored", first_seen=article.first_seen)  # fmt: skip
        session.add_all([outlet, new_article, story, run, state])
        session.flush()
        ids = {"outlets": outlet.id, "articles": new_article.id, "stories": story.id,
               "crawl_runs": run.id, "crawl_state": state.id}  # fmt: skip
    assert ids == {name: number + 1 for name, number in last.items()}


def test_a_crawl_carries_on_in_the_copy(
    pg_url: str, source: Path, demo_store: DemoStore, run_cli: RunCli
) -> None:
    """The crawl state came along: the next crawl knows every URL and fetches nothing old."""
    copy_store(f"sqlite:///{source}", pg_url)
    before = every_row(pg_url)
    result = run_cli(
        "crawl", *DEMO_OUTLETS, "--config", str(DEMO_CONFIG), "--db", pg_url,
        env={DEMO_URL_VARIABLE: demo_store.site_url},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "articles new 0, updated 0, unchanged 0" in result.stdout
    after = every_row(pg_url)
    for table in ("articles", "stories", "article_links", "signatures"):
        assert after[table] == before[table], table
    assert [run[0] for run in after["crawl_runs"]] == [1, 2]


def test_the_dedup_index_rebuilt_from_the_copy_finds_the_same_stories(
    pg_url: str, source: Path, tmp_path: Path, run_cli: RunCli
) -> None:
    """The fingerprints are the source's bytes: a rebuild reads no text and ends as the source's."""
    copy_store(f"sqlite:///{source}", pg_url)
    sqlite_url = duplicate(source, tmp_path / "rebuilt.sqlite")
    rebuilt = [run_cli("dedup", "--rebuild", "--db", url) for url in (sqlite_url, pg_url)]
    assert [r.returncode for r in rebuilt] == [0, 0], [r.stderr for r in rebuilt]
    assert rebuilt[1].stdout == rebuilt[0].stdout
    assert " 0 fingerprints refreshed" in rebuilt[0].stdout
    stories, copied = every_row(sqlite_url), every_row(pg_url)
    for table in ("articles", "article_links", "signatures"):
        assert copied[table] == stories[table], table
    # Stories as the rebuilds left them; updated_at (the last column) is when each ran.
    assert [s[:-1] for s in copied["stories"]] == [s[:-1] for s in stories["stories"]]
    assert copied["signatures"] == every_row(f"sqlite:///{source}")["signatures"]


def test_postgres_copies_back_into_sqlite(
    pg_copy: tuple[str, subprocess.CompletedProcess[str]], source: Path, tmp_path: Path
) -> None:
    back = f"sqlite:///{tmp_path / 'back.sqlite'}"
    copy_store(pg_copy[0], back)
    assert every_row(back) == every_row(f"sqlite:///{source}")
    search = "select rowid from articles_fts where articles_fts match 'railroad' order by rowid"
    assert rows(back, search) == rows(f"sqlite:///{source}", search) != []


def test_a_failed_copy_leaves_postgres_empty(pg_url: str, source: Path, tmp_path: Path) -> None:
    """A value PostgreSQL refuses, in the last table copied: the articles before it go too."""
    broken = duplicate(source, tmp_path / "broken.sqlite")
    with Store(broken) as store, store.engine.begin() as connection:
        connection.exec_driver_sql("update signatures set shingle_size = 1 << 40")
    with pytest.raises(StoreError) as caught:
        copy_store(broken, pg_url)
    assert str(caught.value).startswith(
        f"the copy into {pg_url} failed copying signatures, so nothing was copied: "
    )
    assert "out of range" in str(caught.value)
    assert not any(every_row(pg_url).values())


def test_bad_postgres_urls_are_named(source: Path, postgres: str, run_cli: RunCli) -> None:
    missing = f"{postgres}/no_such_database"
    result = run_cli("db", "copy", "--from", str(source), "--to", missing)
    assert result.returncode == 3
    assert result.stderr.startswith(f"error: cannot open store {missing}: ")
    assert 'database "no_such_database" does not exist' in result.stderr


def test_a_crawl_writing_to_the_destination_stops_the_copy(pg_url: str, source: Path) -> None:
    crawl = taker(pg_url)
    try:
        assert crawl.stdout.readline().startswith("locked")
        with pytest.raises(StoreError, match=f"aggregator-crawl-{crawl.pid}@") as caught:
            copy_store(f"sqlite:///{source}", pg_url)
        assert caught.value.exit_code == 5
    finally:
        crawl.kill()
        crawl.wait(timeout=30)


SMALL, LARGE = 1_000, 4_000  # stories; about 1,300 and 5,300 articles of 1.3 KB


@pytest.fixture(scope="module")
def synthetic(
    tmp_path_factory: pytest.TempPathFactory, postgres: str
) -> Iterator[dict[int, tuple[str, str]]]:
    """Synthetic stores of both sizes, each in SQLite and (copied) in PostgreSQL."""
    with ExitStack() as stack:
        stores = {}
        for size in (SMALL, LARGE):
            sqlite_url = f"sqlite:///{tmp_path_factory.mktemp('synthetic') / f'{size}.sqlite'}"
            with Store(sqlite_url) as store:
                fill_store(store, size)
            pg = stack.enter_context(fresh_database(postgres))
            copy_store(sqlite_url, pg)
            stores[size] = (sqlite_url, pg)
        yield stores


def peak_mib(action: Callable[[], object]) -> float:
    """The peak of Python allocations while ``action`` runs, in MiB."""
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_the_store(
    synthetic: dict[int, tuple[str, str]], postgres: str, tmp_path: Path
) -> None:
    """A batch is what is held, whatever the store's size; the probe sees a copy that holds more."""

    def to_postgres(size: int, batch_rows: int = BATCH_ROWS) -> float:
        with fresh_database(postgres) as url:
            return peak_mib(lambda: copy_store(synthetic[size][0], url, batch_rows=batch_rows))

    def from_postgres(size: int) -> float:
        target = f"sqlite:///{tmp_path / f'{size}-{len(list(tmp_path.iterdir()))}.sqlite'}"
        return peak_mib(lambda: copy_store(synthetic[size][1], target))

    for direction in (to_postgres, from_postgres):
        direction(SMALL)  # warm-up: imports, statement caches
        small, large = direction(SMALL), direction(LARGE)
        print(f"\n{direction.__name__}: {small:.1f} MiB at {SMALL} stories, {large:.1f} at {LARGE}")
        assert large - small < 0.1 * small + 0.5, (direction.__name__, small, large)
    # One batch of every row: the extra 4,000 articles show as some 10 MiB more.
    assert to_postgres(LARGE, batch_rows=10 * LARGE) > to_postgres(SMALL, batch_rows=10 * LARGE) + 5
