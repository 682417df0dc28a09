"""Helpers for schema tests: stores at a given revision, rows written as an old version would."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, create_engine, inspect, text

from aggregator.store import Base
from aggregator.store.migrate import alembic_config
from aggregator.store.rawsql import FTS_TABLE, FTS_TRIGGERS, VIEWS, include_object


def migrate(url: str, revision: str, down: bool = False) -> None:
    """Run the migrations on ``url`` up (or down) to ``revision``, as an older release would."""
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            config = alembic_config(connection)
            (command.downgrade if down else command.upgrade)(config, revision)
    finally:
        engine.dispose()


def schema_differences(engine: Engine) -> list:
    """What autogenerate would change to make the database match the models (raw SQL left out)."""
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": include_object}
        )
        return compare_metadata(context, Base.metadata)


def raw_objects(engine: Engine) -> set[str]:
    """The views, FTS table and triggers present in the database."""
    found = set(inspect(engine).get_view_names())
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            rows = connection.execute(
                text("select name from sqlite_master where type in ('trigger', 'table')")
            )
            found |= {name for (name,) in rows if name in FTS_TRIGGERS or name == FTS_TABLE}
    return found


EXPECTED_RAW = {"sqlite": {*VIEWS, FTS_TABLE, *FTS_TRIGGERS}, "postgresql": set(VIEWS)}

# Rows as the first release (schema 0001) wrote them: dates as ISO text, JSON as text.
FIRST_SCHEMA_ROWS = (
    "insert into outlets (id, key, name, url, platform, aliases) values "
    "(1, 'cfr', 'Council on Foreign Relations', 'http://cfr.test/', 'wordpress', '[]'), "
    "(2, 'htw', 'Human Traffic Watch', 'http://htw.test/', 'wordpress', '[\"HTW\"]')",
    "insert into stories (id, canonical_article_id, title, canonical_reason, article_count, "
    "first_published, last_published, updated_at) values (1, 1, 'The Underground Railroad', "
    "'earliest published', 2, '2012-10-16T04:00:00Z', '2012-10-20T18:53:05Z', "
    "'2026-11-01T00:00:00Z')",
    "insert into articles (id, url, outlet_id, title, author, published, date_source, text, "
    "text_hash, word_count, categories, tags, first_seen, fetched_at, story_id, role, "
    "similarity, containment, attribution_text, attribution_outlet) values "
    "(1, 'http://cfr.test/railroad/', 1, 'The Underground Railroad', 'Scott A. Snyder', "
    "'2012-10-16T04:00:00Z', 'json-ld', 'Defectors cross the Tumen river into China.', 'h1', 7, "
    "'[\"Asia\"]', '[\"north korea\", \"refugees\"]', '2026-11-01T00:00:00Z', "
    "'2026-11-01T00:00:00Z', 1, 'canonical', null, null, null, null), "
    "(2, 'http://htw.test/railroad/', 2, 'Railroad repost', null, '2012-10-20T18:53:05Z', "
    "'meta', 'Defectors cross the Tumen river.', 'h2', 5, '[]', '[]', '2026-11-01T00:00:00Z', "
    "'2026-11-01T00:00:00Z', 1, 'excerpt', 0.4, 1.0, "
    "'Source: Council on Foreign Relations', 'Council on Foreign Relations')",
)


def write_first_schema_rows(url: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            if engine.dialect.name == "sqlite":
                connection.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
            else:  # the canonical-article key is not deferrable: add the story's pointer last
                connection.exec_driver_sql(
                    "ALTER TABLE stories DROP CONSTRAINT fk_stories_canonical_article"
                )
            for statement in FIRST_SCHEMA_ROWS:
                connection.exec_driver_sql(statement)
            if engine.dialect.name != "sqlite":
                connection.exec_driver_sql(
                    "ALTER TABLE stories ADD CONSTRAINT fk_stories_canonical_article "
                    "FOREIGN KEY (canonical_article_id) REFERENCES articles (id)"
                )
    finally:
        engine.dispose()
