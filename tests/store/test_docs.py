"""docs/schema.md documents every table, column and view; its example queries run (issue 6, item 1)."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from aggregator.store.browse import example_queries

from ..helpers import REPO
from .support import DemoStore

SCHEMA_DOC = REPO / "docs" / "schema.md"
SECTION = re.compile(r"^### `(\w+)`", re.MULTILINE)
COLUMN_ROW = re.compile(r"^\| `(\w+)` \|", re.MULTILINE)
EXAMPLE = re.compile(
    r"^### (\w+): ([^\n]+)\n\n([^\n]+)\n\n```sql\n(.*?)\n```", re.MULTILINE | re.DOTALL
)


def documented(doc: str) -> dict[str, set[str]]:
    """Documented tables and views with the columns their tables list."""
    parts = SECTION.split(doc.split("## Example queries")[0])
    return {
        name: set(COLUMN_ROW.findall(body))
        for name, body in zip(parts[1::2], parts[2::2], strict=True)
    }


def actual(path: Path) -> dict[str, set[str]]:
    """Tables and views of the store, FTS5's own storage tables left out."""
    with sqlite3.connect(path) as connection:
        names = [
            name
            for (name,) in connection.execute(
                "select name from sqlite_master where type in ('table', 'view') "
                "and name not like 'sqlite_%' and name not like 'articles_fts_%'"
            )
        ]
        return {
            name: {row[1] for row in connection.execute(f'pragma table_info("{name}")')}
            for name in names
        }


@pytest.mark.slow
def test_every_table_column_and_view_is_documented(demo_store: DemoStore) -> None:
    docs = documented(SCHEMA_DOC.read_text(encoding="utf-8"))
    for name, columns in actual(demo_store.path).items():
        assert name in docs, f"docs/schema.md has no section for {name}"
        assert docs[name] == columns, f"{name}: documented columns differ from the store's"


def doc_examples() -> dict[str, tuple[str, str, str]]:
    text = SCHEMA_DOC.read_text(encoding="utf-8").split("## Example queries")[1]
    return {name: (title, about, sql) for name, title, about, sql in EXAMPLE.findall(text)}


def test_the_examples_are_the_stored_queries_of_serve() -> None:
    stored = {
        name: (query["title"], query["description"], query["sql"])
        for name, query in example_queries().items()
    }
    assert doc_examples() == stored
    assert len(stored) >= 12


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(doc_examples()))
def test_each_example_query_runs_on_the_demo_store(demo_store: DemoStore, name: str) -> None:
    _, _, sql = doc_examples()[name]
    with sqlite3.connect(demo_store.path) as connection:
        rows = connection.execute(sql).fetchall()
    assert rows, f"{name} found nothing on the demo store"
