"""Schema migrations: the models and the migrations agree, and old stores upgrade in place.

Views, the FTS5 index and its triggers are raw SQL that lives only in the
migrations; the model comparison leaves them out by name
(aggregator/store/rawsql.py) and ``test_head_has_every_view_and_the_full_text_index``
checks them instead.
"""

from __future__ import annotations

import logging
import sqlite3

import pytest
from alembic.script import ScriptDirectory

from aggregator.errors import StoreError
from aggregator.store import Store
from aggregator.store.migrate import FIRST_REVISION, alembic_config, head_revision

from ..helpers import rows
from .schema import (
    EXPECTED_RAW,
    migrate,
    raw_objects,
    schema_differences,
    write_first_schema_rows,
)


def test_migrations_build_exactly_the_models(db_url: str) -> None:
    with Store(db_url) as store:
        assert schema_differences(store.engine) == []


def test_head_has_every_view_and_the_full_text_index(db_url: str) -> None:
    """A later migration that rebuilds `articles` must recreate the FTS triggers: this notices."""
    with Store(db_url) as store:
        assert raw_objects(store.engine) == EXPECTED_RAW["sqlite"]


def test_a_first_schema_store_upgrades_in_place(
    db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    migrate(db_url, FIRST_REVISION)
    write_first_schema_rows(db_url)
    with caplog.at_level(logging.WARNING, logger="aggregator.store.migrate"):
        Store(db_url).close()
    assert f"upgrading the store schema from 0001 to {head_revision()}" in caplog.text
    assert rows(db_url, "select version_num from alembic_version") == [(head_revision(),)]
    assert rows(db_url, "select id, url from articles order by id") == [
        (1, "http://cfr.test/railroad/"),
        (2, "http://htw.test/railroad/"),
    ]
    # Rows stored before the full-text index existed are indexed by the upgrade.
    assert rows(db_url, "select rowid from articles_fts where articles_fts match 'tumen'") == [
        (1,),
        (2,),
    ]
    assert rows(db_url, "select story_id, repost_count, canonical_outlet from story_overview") == [
        (1, 1, "cfr")
    ]
    assert rows(db_url, "select outlet, credit_line from reposts") == [
        ("htw", "Source: Council on Foreign Relations")
    ]
    assert rows(db_url, "select kind, name from article_tags order by name") == [
        ("category", "Asia"),
        ("tag", "north korea"),
        ("tag", "refugees"),
    ]


def test_every_migration_goes_down_and_up_again(db_url: str) -> None:
    """Each step from the first schema on can be undone and redone without losing rows."""
    migrate(db_url, FIRST_REVISION)
    write_first_schema_rows(db_url)
    scripts = ScriptDirectory.from_config(alembic_config())
    steps = [s.revision for s in reversed(list(scripts.walk_revisions()))]
    assert steps[0] == FIRST_REVISION
    for revision in steps[1:]:
        migrate(db_url, revision)
    migrate(db_url, FIRST_REVISION, down=True)
    assert rows(db_url, "select name from sqlite_master where type = 'view'") == []
    with Store(db_url) as store:
        assert raw_objects(store.engine) == EXPECTED_RAW["sqlite"]
        assert schema_differences(store.engine) == []
    assert rows(db_url, "select count(*) from articles_fts where articles_fts match 'china'") == [
        (1,)
    ]


def test_a_store_from_before_migrations_is_adopted(db_url: str) -> None:
    """Stores written by the first release have its schema but no alembic_version row."""
    migrate(db_url, FIRST_REVISION)
    write_first_schema_rows(db_url)
    with sqlite3.connect(db_url.removeprefix("sqlite:///")) as connection:
        connection.execute("drop table alembic_version")
    Store(db_url).close()
    assert rows(db_url, "select version_num from alembic_version") == [(head_revision(),)]
    assert rows(db_url, "select count(*) from story_overview") == [(1,)]


def test_a_store_from_a_newer_version_is_refused(db_url: str) -> None:
    Store(db_url).close()
    with sqlite3.connect(db_url.removeprefix("sqlite:///")) as connection:
        connection.execute("update alembic_version set version_num = '9999'")
    with pytest.raises(StoreError, match="written by a newer version of aggregator"):
        Store(db_url)


def test_an_old_store_is_not_upgraded_when_asked_not_to(db_url: str) -> None:
    migrate(db_url, FIRST_REVISION)
    with pytest.raises(StoreError, match="run `aggregator db upgrade`"):
        Store(db_url, upgrade=False)
    assert rows(db_url, "select version_num from alembic_version") == [(FIRST_REVISION,)]


def test_the_full_text_index_follows_inserts_updates_and_deletes(db_url: str) -> None:
    migrate(db_url, FIRST_REVISION)
    write_first_schema_rows(db_url)
    Store(db_url).close()

    def matches(word: str) -> list[tuple]:
        return rows(
            db_url,
            f"select rowid from articles_fts where articles_fts match '{word}' order by rowid",
        )

    with sqlite3.connect(db_url.removeprefix("sqlite:///")) as connection:
        connection.execute("update articles set text = 'Refugees reach Seoul.' where id = 2")
        connection.execute(
            "insert into articles (id, url, outlet_id, title, text, text_hash, word_count, "
            "categories, tags, first_seen, fetched_at) values (3, 'http://htw.test/seoul/', 2, "
            "'Seoul', 'A Seoul winter.', 'h3', 3, '[]', '[]', '2026-11-02T00:00:00Z', "
            "'2026-11-02T00:00:00Z')"
        )
    assert matches("tumen") == [(1,)]
    assert matches("seoul") == [(2,), (3,)]
    with sqlite3.connect(db_url.removeprefix("sqlite:///")) as connection:
        connection.execute("pragma foreign_keys = on")
        connection.execute("update stories set canonical_article_id = 2")
        connection.execute("delete from articles where id = 1")
        # rank 1: compare the index with the articles' text; raises "database disk image
        # is malformed" when they disagree.
        connection.execute(
            "insert into articles_fts(articles_fts, rank) values ('integrity-check', 1)"
        )
    assert matches("tumen") == []
