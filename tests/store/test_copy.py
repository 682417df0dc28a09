"""``aggregator db copy`` between SQLite files: what it copies and what it refuses (issue 15, item 6).

The PostgreSQL side, the direction users need, is in ``test_copy_postgres.py``.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from aggregator.cli import main
from aggregator.store.copy import copy_store
from aggregator.store.migrate import FIRST_REVISION, head_revision
from tests.faults.namespaces import taker

from ..helpers import rows
from .copying import duplicate, every_row, fill_every_table
from .schema import migrate, write_first_schema_rows


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small store with rows in every table; tests must not change it."""
    path = tmp_path_factory.mktemp("copy-source") / "source.sqlite"
    fill_every_table(f"sqlite:///{path}")
    return path


def copy(*args: str) -> Result:
    return CliRunner().invoke(main, ["db", "copy", *args])


def error_line(result: Result, exit_code: int) -> str:
    assert result.exit_code == exit_code, result.output
    (line,) = result.output.splitlines()
    return line


def test_every_table_is_copied_row_for_row(source: Path, tmp_path: Path) -> None:
    target = f"sqlite:///{tmp_path / 'copy.sqlite'}"
    result = copy("--from", str(source), "--to", target)
    assert result.exit_code == 0, result.output
    original = every_row(f"sqlite:///{source}")
    assert all(original.values()), "the source must hold rows in every table"
    assert every_row(target) == original
    lines = result.output.splitlines()
    assert [line.split()[:2] for line in lines[:-1]] == [
        [table, f"{len(table_rows):,}"] for table, table_rows in original.items()
    ]
    assert lines[-1].startswith(
        f"copied 81 rows (40 articles) from sqlite:///{source} to {target} in "
    )
    # The full-text index is filled as the articles arrive.
    search = "select rowid from articles_fts where articles_fts match 'brokers' order by rowid"
    assert rows(target, search) == rows(f"sqlite:///{source}", search) != []


def test_a_destination_holding_rows_is_refused_and_left_as_it_was(
    source: Path, tmp_path: Path
) -> None:
    target = f"sqlite:///{tmp_path / 'copy.sqlite'}"
    fill_every_table(target, stories=3)
    before = every_row(target)
    line = error_line(copy("--from", str(source), "--to", target), 3)
    assert line == (
        f"error: {target} is not empty (it holds 1 crawl_runs, 1 crawl_state, 5 outlets, "
        "3 stories, 4 articles, 1 article_links, 1 article_revisions, 2 signatures): db copy "
        "writes only into an empty database, so nothing was copied; copy into a new one"
    )
    assert every_row(target) == before


def test_an_outdated_source_is_refused_and_not_upgraded(tmp_path: Path) -> None:
    source = f"sqlite:///{tmp_path / 'old.sqlite'}"
    migrate(source, FIRST_REVISION)
    write_first_schema_rows(source)
    target = tmp_path / "copy.sqlite"
    line = error_line(copy("--from", source, "--to", f"sqlite:///{target}"), 3)
    assert line == (
        f"error: {source} is at schema {FIRST_REVISION}, this version copies stores at "
        f"{head_revision()}: run `aggregator db upgrade --db {source}` first"
    )
    assert rows(source, "select version_num from alembic_version") == [(FIRST_REVISION,)]
    assert not target.exists()


def test_what_is_not_a_store_is_named(source: Path, tmp_path: Path) -> None:
    missing = tmp_path / "missing.sqlite"
    line = error_line(copy("--from", str(missing), "--to", f"sqlite:///{tmp_path / 'c'}"), 3)
    assert line == f"error: nothing to copy: no store at {missing}"
    assert not missing.exists()
    line = error_line(copy("--from", str(source), "--to", "postgres://agg@db/agg"), 3)
    assert line.startswith("error: cannot use database URL postgres://agg@db/agg: ")
    line = error_line(copy("--from", str(source), "--to", "data/copy.sqlite"), 3)
    assert line == (
        "error: not a database URL: 'data/copy.sqlite' (expected e.g. "
        "sqlite:///data/aggregator.sqlite or postgresql+psycopg://user@host/db)"
    )
    line = error_line(copy("--from", str(source), "--to", f"sqlite:///{source}"), 3)
    assert line == f"error: sqlite:///{source} is both the source and the destination"


def test_a_crawl_holding_a_store_stops_the_copy(source: Path, tmp_path: Path) -> None:
    target = f"sqlite:///{tmp_path / 'copy.sqlite'}"
    crawl = taker(target)
    try:
        assert crawl.stdout.readline().startswith("locked")
        line = error_line(copy("--from", str(source), "--to", target), 5)
    finally:
        crawl.kill()
        crawl.wait(timeout=30)
    assert line.startswith(f"error: another crawl is writing to {tmp_path / 'copy.sqlite'} (pid ")
    assert rows(target, "select name from sqlite_master") == []  # not even the schema


def test_a_failed_copy_leaves_the_destination_empty_and_can_be_run_again(
    source: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.sqlite"
    duplicate(source, broken)
    with sqlite3.connect(broken) as connection:  # foreign keys off, as another tool might write
        connection.execute("update article_links set other_id = 999")
    target = f"sqlite:///{tmp_path / 'copy.sqlite'}"
    with pytest.raises(Exception, match="failed committing, so nothing was copied: FOREIGN KEY"):
        copy_store(f"sqlite:///{broken}", target)
    assert not any(every_row(target).values())
    with sqlite3.connect(broken) as connection:
        connection.execute("update article_links set other_id = 6")
    result = copy_store(f"sqlite:///{broken}", target)
    assert result.rows == 81 and result.rows_of("article_links") == 1
    assert every_row(target) == every_row(f"sqlite:///{source}")
