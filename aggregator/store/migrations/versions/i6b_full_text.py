"""Full-text search over article titles and texts.

SQLite: an FTS5 index ``articles_fts`` over ``articles`` (external content, so
the text is stored once), kept in step by triggers on insert, update and
delete, and filled from the articles already stored. PostgreSQL: a GIN index
on the same document as a ``tsvector`` (aggregator/store/rawsql.py), which the
story search filter uses.

Revision ID: i6b
Revises: i6a
Create Date: 2026-11-22
"""

from __future__ import annotations

from alembic import op

revision = "i6b"
down_revision = "i6a"
branch_labels = None
depends_on = None

SQLITE_UPGRADE = (
    """CREATE VIRTUAL TABLE articles_fts USING fts5(
        title, text, content='articles', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
    END""",
    """CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
    END""",
    """CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, text ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
        INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
    END""",
    # Index what a store upgraded from an older version already holds.
    "INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')",
)
SQLITE_DOWNGRADE = (
    "DROP TRIGGER IF EXISTS articles_fts_update",
    "DROP TRIGGER IF EXISTS articles_fts_delete",
    "DROP TRIGGER IF EXISTS articles_fts_insert",
    "DROP TABLE IF EXISTS articles_fts",
)
POSTGRESQL_UPGRADE = (
    "CREATE INDEX ix_articles_fulltext ON articles USING gin "
    "(to_tsvector('simple', coalesce(title, '') || ' ' || text))",
)
POSTGRESQL_DOWNGRADE = ("DROP INDEX IF EXISTS ix_articles_fulltext",)


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_UPGRADE if sqlite else POSTGRESQL_UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_DOWNGRADE if sqlite else POSTGRESQL_DOWNGRADE:
        op.execute(statement)
